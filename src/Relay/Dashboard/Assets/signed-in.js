// The sign-in link's page moves on to the app by replacing itself, so the one-time code leaves the
// address bar and the history, and the navigation to '/' is this origin's own: the Strict cookie goes with it.
location.replace('/');
