/** CONSOLE.md's pages: the link text and path of each (outside browser tests click these names). */
export const NAVIGATION = [
  { label: 'Overview', path: '/overview' },
  { label: 'API keys', path: '/keys' },
  { label: 'Usage', path: '/usage' },
  { label: 'Requests', path: '/requests' },
  { label: 'Billing', path: '/billing' },
  { label: 'Members', path: '/members' },
  { label: 'Playground', path: '/playground' },
  { label: 'Settings', path: '/settings' },
  { label: 'Privacy', path: '/privacy' },
] as const;
