// Entry of the sidebar's Cache Statistics view.
import '../shared/elements';
import { cacheStateNotification } from '../protocol';
import { boot } from '../shared/boot';
import { renderCache } from './cacheView';

boot(cacheStateNotification, renderCache);
