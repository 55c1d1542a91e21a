import { useMemo } from 'react';
import { marked } from 'marked';
import DOMPurify from 'dompurify';

/**
 * Markdown from run/experiment descriptions (`mlflow.note.content`), rendered with marked and
 * sanitized with DOMPurify (no scripts, no event handlers, no javascript: URLs); links open
 * outside the app.
 */
export function Markdown({ text, className = '' }: { text: string; className?: string }) {
  const html = useMemo(() => {
    const raw = marked.parse(text, { async: false, gfm: true, breaks: true }) as string;
    return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, ADD_ATTR: ['target'] });
  }, [text]);
  return (
    <div
      className={`markdown ${className}`}
      onClick={(e) => {
        const a = (e.target as HTMLElement).closest('a');
        if (a && a.getAttribute('href')?.match(/^https?:/)) {
          e.preventDefault();
          const bridge = window.runlens;
          if (bridge) void bridge.openExternal(a.href);
          else window.open(a.href, '_blank', 'noopener,noreferrer');
        }
      }}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
