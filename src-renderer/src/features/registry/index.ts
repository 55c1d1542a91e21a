/** The registry feature's public surface for the rest of the renderer. */
export { RegistryArea } from './RegistryArea';
export { ModelsNavLink } from './ModelsNavLink';
export { RegisterModelButton, type RegisterModelButtonProps } from './RegisterModelButton';
export { useRegistryRoute, parseRegistryHash, leaveRegistry, modelsHref, type RegistryRoute } from './registry-route';
