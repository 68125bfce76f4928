// Package ui holds the templ components every page shares (the shell,
// badges, cards, the progress timeline, empty and error states, dialogs,
// flash messages) and the one render helper, so the manager's pages and the
// bootstrap wizard look and behave alike.
package ui

// Meta is what the shell needs to know about a page.
type Meta struct {
	Title string
	// Context is the platform or cluster the page is about, shown under
	// the product name.
	Context string
	User    string
	Nav     []NavItem
	Flashes []Flash
	// Live pages refresh every few seconds when the browser runs no
	// script (with script, they stream).
	Live bool
	// Refresh, when set, is a local URL the page loads at once (a
	// navigation this site starts, unlike a redirect).
	Refresh string
}

// NavItem is one entry of the sidebar.
type NavItem struct {
	Label  string
	URL    string
	Active bool
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	// Kind is ok, error or info.
	Kind string
	Text string
}

// htmxConfig turns off what the Content-Security-Policy would block (the
// indicator <style> htmx injects, its eval-based features), and swaps
// every answer but 204: a form refused with 422 and its messages beside
// the fields, or a 404 or 403 page, is shown as it is without script
// (htmx's default drops 4xx and 5xx answers).
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"...","swap":true}]}`
