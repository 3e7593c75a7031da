/**
 * Entry of the webview bundle. The panels (delta plan, cost estimates, token budgets) and the cache view render here;
 * until they exist it shows the initial state the host embeds in the page.
 */
const root = document.getElementById('root');
const state = document.getElementById('initial-state')?.textContent;
if (root) root.textContent = state ? `Party Cost Inspector: ${state}` : 'Party Cost Inspector';
