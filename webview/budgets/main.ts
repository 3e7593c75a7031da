// Entry of the Token Budgets view.
import '../shared/elements';
import { budgetsStateNotification } from '../protocol';
import { boot } from '../shared/boot';
import { renderBudgets } from './budgetsView';

boot(budgetsStateNotification, renderBudgets);
