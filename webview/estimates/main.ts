// Entry of the Cost Estimates view.
import '../shared/elements';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { estimatesStateNotification } from '../protocol';
import { boot } from '../shared/boot';
import { renderEstimates } from './estimatesView';

boot(estimatesStateNotification, renderEstimates);
