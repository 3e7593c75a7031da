// Entry of the Delta Execution Plan view.
import '../shared/elements';
import { planStateNotification } from '../protocol';
import { boot } from '../shared/boot';
import { renderPlan } from './planView';

boot(planStateNotification, renderPlan);
