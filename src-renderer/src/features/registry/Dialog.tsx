import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal on the native `<dialog>`: focus is trapped, Escape closes it, the page behind is inert.
 * Rendered only while open, so its state resets each time.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`rg-dialog${wide ? ' wide' : ''}`}
      aria-labelledby={titleId}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its box) dismisses.
        if (e.target === ref.current) {
          const r = ref.current.getBoundingClientRect();
          const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
          if (!inside) onClose();
        }
      }}
    >
      <header className="rg-dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="rg-icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="rg-dialog-body">{children}</div>
      {footer && <footer className="rg-dialog-foot">{footer}</footer>}
    </dialog>
  );
}
