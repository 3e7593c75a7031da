// Entry of the Configuration Impact view.
import '../shared/elements';
import { impactStateNotification } from '../protocol';
import { boot } from '../shared/boot';
import { renderImpact } from './impactView';

boot(impactStateNotification, renderImpact);
