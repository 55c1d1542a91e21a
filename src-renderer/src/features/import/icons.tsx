/** Small inline icons (currentColor) for the import UI. */

export function FolderIcon() {
  return (
    <svg className="imp-icon" viewBox="0 0 16 16" aria-hidden="true">
      <path
        d="M1.75 3.5A1.25 1.25 0 0 1 3 2.25h3.1l1.5 1.5H13A1.25 1.25 0 0 1 14.25 5v7.5A1.25 1.25 0 0 1 13 13.75H3a1.25 1.25 0 0 1-1.25-1.25z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.3"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function DatabaseIcon() {
  return (
    <svg className="imp-icon" viewBox="0 0 16 16" aria-hidden="true">
      <ellipse cx="8" cy="3.75" rx="5.25" ry="1.9" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path
        d="M2.75 3.75v8.5c0 1.05 2.35 1.9 5.25 1.9s5.25-.85 5.25-1.9v-8.5M2.75 8c0 1.05 2.35 1.9 5.25 1.9s5.25-.85 5.25-1.9"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.3"
      />
    </svg>
  );
}

export function ImportIcon() {
  return (
    <svg className="imp-icon" viewBox="0 0 16 16" aria-hidden="true">
      <path
        d="M8 1.75v8m0 0L4.75 6.5M8 9.75l3.25-3.25M2.25 10.5v2.25c0 .55.45 1 1 1h9.5c.55 0 1-.45 1-1V10.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
