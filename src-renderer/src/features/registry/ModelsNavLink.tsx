import { modelsHref, useRegistryRoute } from './registry-route';
import './registry.css';

/** The sidebar's "Models" entry (current while any `#/models…` page is shown). */
export function ModelsNavLink() {
  const route = useRegistryRoute();
  return (
    <nav className="rg-nav" aria-label="Registry">
      <a className="rg-nav-item" href={modelsHref} aria-current={route ? 'page' : undefined}>
        <svg className="rg-nav-icon" viewBox="0 0 16 16" width="15" height="15" aria-hidden>
          <path
            d="M8 1.5 14 4.75v6.5L8 14.5 2 11.25v-6.5L8 1.5Zm0 0v6.5m0 0 6-3.25M8 8 2 4.75M8 8v6.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.3"
            strokeLinejoin="round"
          />
        </svg>
        <span>Models</span>
      </a>
    </nav>
  );
}
