// Trades a bearer token for the session cookie the live page and its event stream send (an EventSource cannot
// send an Authorization header). The token comes pasted, or in the fragment (#token=...), which never reaches
// a server log; it is removed from the address bar at once.
async function signIn(token, next) {
  const status = document.getElementById('status');
  const r = await fetch('/api/v1/session', { method: 'POST', headers: { Authorization: 'Bearer ' + token.trim() } });
  if (r.ok) {
    location.replace(next);
  } else {
    status.className = 'error';
    status.textContent = r.status === 401 ? 'that token is not valid here (wrong key, issuer or expired)'
      : r.status === 403 ? 'the page takes a viewer token only (./kshift token --role viewer)'
      : 'sign-in failed: HTTP ' + r.status;
  }
}

// Only a page of this site: an address elsewhere in next= would make this page an open redirect. Parsed as the
// browser will (it drops tabs and newlines, so "/\t/evil" is "//evil"), then compared by origin.
function safeNext(value) {
  if (!value) return '/';
  try {
    const url = new URL(value, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
  } catch (e) {
    return '/';
  }
}

const fragment = new URLSearchParams(location.hash.slice(1));
const next = safeNext(fragment.get('next') || new URLSearchParams(location.search).get('next'));
history.replaceState(null, '', location.pathname + location.search);
if (fragment.get('token')) signIn(fragment.get('token'), next);
document.getElementById('signin').addEventListener('submit', e => {
  e.preventDefault();
  signIn(document.getElementById('token').value, next);
});
