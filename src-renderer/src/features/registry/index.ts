/** The registry feature's public surface for the rest of the renderer. */
export { RegistryArea } from './RegistryArea';
export { RegisterModelButton, type RegisterModelButtonProps } from './RegisterModelButton';
export { useRegistryRoute, parseRegistryHash, modelsHref, type RegistryRoute } from './registry-route';
