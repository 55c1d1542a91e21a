/** The import feature's public surface: mount `<ImportDropZone>` once around the app, and the button anywhere. */
export { ImportDropZone } from './ImportDropZone';
export { ImportButton } from './ImportButton';
export { useImport } from './import-store';
