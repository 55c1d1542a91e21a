import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface Anchor {
  x: number;
  y: number;
  /** Width of the anchor element (menus open below it, aligned to its left edge). */
  w?: number;
  h?: number;
}

export const anchorOf = (el: Element): Anchor => {
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.top, w: r.width, h: r.height };
};

/**
 * A floating panel at an anchor (an element's box or the mouse), kept inside the window, closed by
 * Escape or a click outside.
 */
export function Popover({
  anchor,
  onClose,
  children,
  className = '',
  label,
}: {
  anchor: Anchor;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    let left = anchor.x;
    let top = anchor.y + (anchor.h ?? 0) + 4;
    if (left + r.width > window.innerWidth - 8) left = Math.max(8, window.innerWidth - r.width - 8);
    if (top + r.height > window.innerHeight - 8) top = Math.max(8, anchor.y - r.height - 4);
    setPos({ left, top });
  }, [anchor]);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('mousedown', onDown, true);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onDown, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [onClose]);
  return createPortal(
    <div
      ref={ref}
      className={`popover ${className}`}
      role="dialog"
      aria-label={label}
      style={{ left: pos?.left ?? anchor.x, top: pos?.top ?? anchor.y, visibility: pos ? 'visible' : 'hidden' }}
    >
      {children}
    </div>,
    document.body,
  );
}

export interface MenuItem {
  label: string;
  onSelect?: () => void;
  disabled?: boolean;
  danger?: boolean;
  checked?: boolean;
  hint?: string;
  separator?: boolean;
  /** Picking it leaves the menu open (several checks in a row, e.g. statuses). */
  keepOpen?: boolean;
  /** Custom content instead of a button (e.g. a color row). */
  render?: () => ReactNode;
}

/** A menu of actions in a popover; arrow keys move, Enter picks. */
export function Menu({
  anchor,
  items,
  onClose,
  label,
}: {
  anchor: Anchor;
  items: MenuItem[];
  onClose: () => void;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, []);
  return (
    <Popover anchor={anchor} onClose={onClose} className="menu" label={label}>
      <div
        ref={ref}
        role="menu"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          e.preventDefault();
          const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
          const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
          const next = buttons[(i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
          next?.focus();
        }}
      >
        {items.map((item, i) =>
          item.separator ? (
            <div key={i} className="menu-separator" role="separator" />
          ) : item.render ? (
            <div key={i} className="menu-custom">
              {item.render()}
            </div>
          ) : (
            <button
              key={i}
              type="button"
              role={item.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.checked}
              className={`menu-item${item.danger ? ' danger' : ''}`}
              disabled={item.disabled}
              onClick={() => {
                if (!item.keepOpen) onClose();
                item.onSelect?.();
              }}
            >
              {item.checked !== undefined && <span className="menu-check">{item.checked ? '✓' : ''}</span>}
              <span className="menu-label">{item.label}</span>
              {item.hint && <span className="menu-hint">{item.hint}</span>}
            </button>
          ),
        )}
      </div>
    </Popover>
  );
}
