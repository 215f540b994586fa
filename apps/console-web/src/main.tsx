import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { App } from './app';
import { AuthProvider, createUserManager } from './auth/auth';
import { loadClientConfig } from './auth/client-config';
import { ClientConfigContext } from './client-config-context';
import './styles.css';
import { WorkspaceProvider } from './workspace';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A client mistake or a missing resource does not get better by asking again.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
    },
  },
});

const root = createRoot(document.getElementById('root') as HTMLElement);

loadClientConfig().then(
  (config) => {
    const manager = createUserManager(config);
    root.render(
      <StrictMode>
        <ClientConfigContext.Provider value={config}>
          <QueryClientProvider client={queryClient}>
            <AuthProvider manager={manager}>
              <BrowserRouter>
                <WorkspaceProvider>
                  <App />
                </WorkspaceProvider>
              </BrowserRouter>
            </AuthProvider>
          </QueryClientProvider>
        </ClientConfigContext.Provider>
      </StrictMode>,
    );
  },
  (error: Error) => {
    root.render(
      <main>
        <p role="alert" className="error">
          {error.message}
        </p>
      </main>,
    );
  },
);
