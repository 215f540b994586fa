/** Everything interpolated into the page passes through here. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface SignInPage {
  uid: string;
  clientName: string;
  email?: string;
  name?: string;
  error?: string;
}

/** The stand-in's sign-in form: an email and an optional name, no password. */
export function signInPage({ uid, clientName, email = '', name = '', error }: SignInPage): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - nomosly (local)</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
label, input, button { display: block; width: 100%; box-sizing: border-box; }
input { margin: 0.25rem 0 1rem; padding: 0.5rem; }
button { padding: 0.5rem; margin-bottom: 0.5rem; }
.error { color: #b00020; }
.note { color: #555; font-size: 0.875rem; }
</style>
</head>
<body>
<h1>Sign in</h1>
<p>to ${escapeHtml(clientName)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${action}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" required autofocus autocomplete="email" value="${escapeHtml(email)}">
<label for="name">Name (optional)</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="200" value="${escapeHtml(name)}">
<button type="submit">Sign in</button>
</form>
<form method="post" action="${action}/abort"><button type="submit">Cancel</button></form>
<p class="note">Local identity provider stand-in for development: any email signs in, there are no passwords.</p>
</body>
</html>
`;
}
