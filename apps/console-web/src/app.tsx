import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './layout';
import { ApiKeysPage } from './pages/keys';
import { BillingPage } from './pages/billing';
import { CallbackPage } from './pages/callback';
import { MembersPage } from './pages/members';
import { NotFoundPage } from './pages/not-found';
import { OverviewPage } from './pages/overview';
import { PlaygroundPage } from './pages/playground';
import { PrivacyPage } from './pages/privacy';
import { RequestsPage } from './pages/requests';
import { SettingsPage } from './pages/settings';
import { UsagePage } from './pages/usage';

export function App() {
  return (
    <Routes>
      <Route path="/callback" element={<CallbackPage />} />
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/overview" replace />} />
        <Route path="/overview" element={<OverviewPage />} />
        <Route path="/keys" element={<ApiKeysPage />} />
        <Route path="/usage" element={<UsagePage />} />
        <Route path="/requests" element={<RequestsPage />} />
        <Route path="/billing" element={<BillingPage />} />
        <Route path="/members" element={<MembersPage />} />
        <Route path="/playground" element={<PlaygroundPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/privacy" element={<PrivacyPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
