import { createContext, useContext, type ReactNode } from 'react';
import type { SessionController } from '../session/controller';

const ControllerContext = createContext<SessionController | null>(null);

export function ControllerProvider({ controller, children }: { controller: SessionController; children: ReactNode }) {
  return <ControllerContext.Provider value={controller}>{children}</ControllerContext.Provider>;
}

export function useController(): SessionController {
  const c = useContext(ControllerContext);
  if (!c) throw new Error('useController must be used inside <ControllerProvider>');
  return c;
}
