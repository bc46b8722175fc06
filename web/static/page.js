// Pages with no behaviour of their own (the accessibility statement): language and service worker.
import { initPage } from './i18n.js';

initPage();
