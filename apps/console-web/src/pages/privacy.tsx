// PLACEHOLDER: replaced by the page of CONSOLE.md (rendered from GET /api/privacy, signed in or not).
export function PrivacyPage() {
  return <h1>Privacy</h1>;
}
