// Language handling for all public pages.
// Swedish lives in the HTML (so the page is useful before any script runs); this file holds the
// English for those elements (keyed by data-i18n) plus both languages for text made by scripts.

const STORE_KEY = 'tillbud.lang';

const EN_STATIC = {
  'common.skip': 'Skip to content',
  'common.service': 'Tillbud – Report an incident',
  'common.a11y': 'Accessibility statement',
  'common.privacy': 'Personal data',
  'rep.privacy': 'How we handle your personal data',
  'privacy.doctitle': 'Personal data – Tillbud',
  'common.home': 'Go to the report form',
  'common.footer': 'Karlskrona municipal group · In an emergency: call 112',
  'form.doctitle': 'Report an incident – Tillbud',
  'form.h1': 'Report an incident',
  'form.lead': 'Tell us about an accident, a near miss or a risk you have seen at work. It takes a few minutes. The report goes to the manager responsible for the workplace.',
  'form.emergency': 'In an emergency: call 112 first.',
  'form.submit': 'Send the report',
  'kind.legend': 'What kind of event?',
  'kind.hint': 'Choose the one that fits best. The manager can change it later.',
  'kind.accident': 'Accident',
  'kind.accident.hint': 'Someone was injured, even slightly.',
  'kind.near_miss': 'Near miss',
  'kind.near_miss.hint': 'Nobody was hurt, but it could have been an accident.',
  'kind.risk_observation': 'Risk observation',
  'kind.risk_observation.hint': 'Nothing has happened yet, but something could cause harm.',
  'kind.threat_violence': 'Threats and violence',
  'kind.threat_violence.hint': 'Someone threatened, harassed or attacked you or a colleague.',
  'kind.work_illness': 'Work-related illness',
  'kind.work_illness.hint': 'Health problems caused by the work, for example noise, heavy lifting or stress.',
  'kind.commuting_accident': 'Commuting accident',
  'kind.commuting_accident.hint': 'You were injured on your way to or from work.',
  'kind.property_damage': 'Damage to property',
  'kind.property_damage.hint': 'Something was broken, stolen or destroyed, for example by fire, water or vandalism.',
  'kind.environmental': 'Environmental event',
  'kind.environmental.hint': 'A release or spill that may harm soil, water or air.',
  'kind.extraordinary_event': 'Extraordinary event',
  'kind.extraordinary_event.hint': 'A serious disruption affecting many people, such as a long power cut or a major fire. The safety coordinators are alerted at once.',
  'kind.security': 'Security or information security',
  'kind.security.hint': 'Burglary, a lost key or computer, information sent to the wrong person.',
  'where.legend': 'Where did it happen?',
  'where.unit': 'Workplace or unit',
  'where.unit.hint': 'Type part of the name, for example the school or the department, and pick from the list.',
  'where.unit.list': 'Workplaces',
  'where.place': 'Place (optional)',
  'where.place.hint': 'For example room, floor, street or vehicle. At most 200 characters.',
  'where.pos.use': 'Use my location',
  'where.pos.clear': 'Remove the location',
  'when.label': 'When did it happen?',
  'when.hint': 'Date and time. Change it if it did not just happen.',
  'what.legend': 'Describe the event',
  'what.title': 'Title',
  'what.title.hint': 'A few words about it, for example “Slipped on the stairs”. 3–120 characters.',
  'what.desc': 'What happened?',
  'what.desc.hint': 'Describe what happened and why, so that it can be prevented. Write no more about anyone’s health than needed. 10–5000 characters.',
  'what.action': 'What was done straight away? (optional)',
  'what.action.hint': 'For example first aid, cordoning off or cleaning up. At most 2000 characters.',
  'cons.legend': 'What was or could have been harmed? (optional)',
  'cons.hint': 'Select all that apply.',
  'cons.person': 'People',
  'cons.environment': 'Environment',
  'cons.cultural': 'Cultural heritage',
  'cons.economic': 'Economic values',
  'cons.service': 'Municipal services',
  'photos.legend': 'Photos (optional)',
  'photos.hint': 'At most 5 photos. They are made smaller before sending, and location data in them is removed.',
  'photos.camera': 'Take a photo',
  'photos.gallery': 'Choose photos',
  'rep.legend': 'About you',
  'rep.hint': 'The manager may need to contact you with questions. Your details are kept on this device for your next report.',
  'rep.anon': 'Report anonymously',
  'rep.anon.hint': 'We will not store who you are. Nobody can ask you questions, but you can still follow the case with the link you get.',
  'rep.name': 'Name (optional)',
  'rep.email': 'Email (optional)',
  'rep.phone': 'Phone (optional)',
  'receipt.h1': 'Thank you! Your report has been sent',
  'receipt.code': 'Your case number:',
  'receipt.link': 'Follow the case here:',
  'receipt.copy': 'Copy the link',
  'receipt.save': 'Save the link, for example as a bookmark. It is how you follow the case and add more information.',
  'receipt.next': 'What happens next?',
  'receipt.next1': 'The manager of the workplace gets an email about the report.',
  'receipt.next2': 'The manager reviews the event, assesses the risk and decides what to do.',
  'receipt.next3': 'The link shows you when something happens in the case, and you can add comments and photos there.',
  'receipt.new': 'Report another event',
  'saved.h1': 'Saved on this device – it will be sent when you have a connection',
  'saved.p1': 'The report could not be sent right now, usually because there is no network. It stays on your phone and is sent automatically when possible, or the next time you open this page.',
  'saved.p2': 'You get a case number and a link once the report has arrived.',
  'track.doctitle': 'Follow your case – Tillbud',
  'track.h1': 'Follow your case',
  'track.loading': 'Loading the case …',
  'track.retry': 'Try again',
  'track.newreport': 'Report a new event',
  'track.code': 'Case number:',
  'track.status': 'Status:',
  'track.kind': 'Kind of event',
  'track.unit': 'Workplace',
  'track.created': 'Reported',
  'track.timeline': 'What has happened in the case',
  'track.photos': 'Photos',
  'track.add': 'Add information',
  'track.add.hint': 'Remembered something else? What you write here is seen by whoever investigates the case.',
  'track.comment': 'Comment',
  'track.comment.hint': 'At most 5000 characters.',
  'track.comment.send': 'Send the comment',
  'track.photo.pick': 'Choose a photo',
  'track.photo.hint': 'The photo is made smaller and location data is removed before it is sent.',
  'track.photo.send': 'Send the photo',
  'a11y.doctitle': 'Accessibility statement – Tillbud',
};

// Text created by scripts. {name} placeholders; keys ending in .one/.other are plural forms.
const MSG = {
  sv: {
    'lang.other': 'English',
    'lang.other.code': 'en',
    'err.heading': 'Det finns problem',
    'err.prefix': 'Fel:',
    'err.doctitle': 'Fel: ',
    'err.kind': 'Välj vilken sorts händelse det är',
    'err.org_unit_id': 'Välj arbetsplats eller enhet i listan',
    'err.org_unit_id.nolist': 'Listan över arbetsplatser kunde inte hämtas. Försök igen när du har nätverk.',
    'err.occurred_at': 'Ange datum och klockslag för när det hände',
    'err.occurred_at.in_future': 'Tidpunkten kan inte vara i framtiden',
    'err.title': 'Rubriken ska vara 3–120 tecken',
    'err.title.required': 'Skriv en rubrik',
    'err.description': 'Beskrivningen ska vara 10–5000 tecken',
    'err.description.required': 'Beskriv vad som hände',
    'err.location': 'Platsen får vara högst 200 tecken',
    'err.immediate_action': 'Beskrivningen av vad som gjordes får vara högst 2000 tecken',
    'err.consequences': 'Välj bara bland alternativen för vad som drabbades',
    'err.latitude': 'Positionen kunde inte användas. Ta bort positionen och försök igen.',
    'err.reporter.name': 'Namnet får vara högst 200 tecken',
    'err.reporter.email': 'Ange en e-postadress i rätt format, till exempel namn@example.se',
    'err.reporter.phone': 'Ange ett telefonnummer med 5–20 siffror, till exempel 0455-30 30 00',
    'err.photos.max': 'Du kan bifoga högst 5 bilder',
    'err.photos.type': '”{name}” är inte en bild',
    'err.photos.read': 'Bilden ”{name}” kunde inte läsas. Prova en annan bild eller ta ett nytt foto.',
    'err.text': 'Skriv en kommentar på högst 5000 tecken',
    'err.file': 'Välj en bild att skicka',
    'err.unknown': 'Kontrollera uppgifterna',
    'err.server': 'Något gick fel hos oss. Försök igen om en stund.',
    'err.network': 'Det gick inte att nå servern. Kontrollera att du har nätverk och försök igen.',
    'err.rejected': 'Rapporten kunde inte tas emot ({status}).',
    'err.notsent': 'Det gick inte att skicka ({status}).',
    'units.loading': 'Hämtar arbetsplatser …',
    'units.failed': 'Listan över arbetsplatser kunde inte hämtas.',
    'units.cached': 'Visar sparad lista över arbetsplatser.',
    'units.retry': 'Försök igen',
    'units.none': 'Ingen arbetsplats matchar ”{q}”. Prova en annan del av namnet.',
    'units.count.one': '1 träff. Använd pil upp och ned för att välja.',
    'units.count.other': '{n} träffar. Använd pil upp och ned för att välja.',
    'units.more': 'Visar {shown} av {n}. Skriv mer för att begränsa.',
    'units.selected': 'Vald: {name}',
    'pos.getting': 'Hämtar position …',
    'pos.set': 'Position sparad: {lat}, {lon} (ungefär ±{acc} m).',
    'pos.denied': 'Positionen kunde inte hämtas. Skriv platsen i fältet ovan i stället.',
    'pos.unsupported': 'Enheten kan inte dela position. Skriv platsen i fältet ovan i stället.',
    'pos.cleared': 'Positionen är borttagen.',
    'photos.thumb': 'Bild {n}: {name}',
    'photos.remove': 'Ta bort bild {n}',
    'photos.added': 'Bild tillagd. {n} av 5.',
    'photos.removed': 'Bild borttagen. {n} av 5.',
    'photos.working': 'Förbereder bilden …',
    'outbox.waiting.one': '1 rapport är sparad på enheten och väntar på nätverk.',
    'outbox.waiting.other': '{n} rapporter är sparade på enheten och väntar på nätverk.',
    'outbox.sendnow': 'Försök skicka nu',
    'outbox.fix.one': '1 sparad rapport kunde inte tas emot och behöver rättas.',
    'outbox.fix.other': '{n} sparade rapporter kunde inte tas emot och behöver rättas.',
    'outbox.openfix': 'Öppna och rätta',
    'outbox.sent': 'Din sparade rapport ”{title}” har skickats. Ärendenummer {code}.',
    'outbox.sent.link': 'Följ ärendet',
    'outbox.restored': 'En sparad rapport kunde inte tas emot. Rätta uppgifterna nedan och skicka igen.',
    'receipt.photosfailed.one': '1 bild kunde inte skickas. Du kan lägga till den via länken.',
    'receipt.photosfailed.other': '{n} bilder kunde inte skickas. Du kan lägga till dem via länken.',
    'receipt.copied': 'Länken är kopierad.',
    'receipt.copyfailed': 'Kunde inte kopiera. Markera länken och kopiera den själv.',
    'form.sending': 'Skickar …',
    'form.submit': 'Skicka rapporten',
    'statushint.new': 'Rapporten har kommit fram. Chefen för arbetsplatsen har fått ett meddelande.',
    'statushint.acknowledged': 'Chefen har läst rapporten.',
    'statushint.investigating': 'Händelsen utreds för att ta reda på orsaken.',
    'statushint.action_planned': 'Det är bestämt vad som ska göras för att det inte ska hända igen.',
    'statushint.resolved': 'Åtgärderna är gjorda.',
    'statushint.closed': 'Ärendet är avslutat.',
    'statushint.rejected': 'Rapporten hanteras inte som ett ärende. Se förklaringen nedan.',
    'statushint.duplicate': 'Samma händelse har redan rapporterats och hanteras i ett annat ärende.',
    'kind.accident': 'Olycka',
    'kind.near_miss': 'Tillbud',
    'kind.risk_observation': 'Riskobservation',
    'kind.threat_violence': 'Hot och våld',
    'kind.work_illness': 'Arbetssjukdom',
    'kind.commuting_accident': 'Färdolycksfall',
    'kind.property_damage': 'Egendomsskada',
    'kind.environmental': 'Miljöhändelse',
    'kind.extraordinary_event': 'Extraordinär händelse',
    'kind.security': 'Säkerhet eller informationssäkerhet',
    'track.notfound.h': 'Vi hittar inte ärendet',
    'track.notfound.p': 'Det finns inget ärende med koden ”{code}”. Kontrollera att du har kopierat hela länken. Om du fick länken nyss kan det ta en liten stund innan ärendet syns.',
    'track.nocode.p': 'Länken saknar ärendekod. Använd hela länken du fick när du rapporterade.',
    'track.failed.h': 'Ärendet kunde inte hämtas',
    'track.noupdates': 'Inga uppdateringar ännu.',
    'track.closed': 'Ärendet är avslutat, så du kan inte lägga till mer. Kontakta din chef om du har frågor.',
    'track.comment.sent': 'Tack, din kommentar är skickad.',
    'track.photo.sent': 'Tack, bilden är skickad.',
    'track.photo.alt': 'Bild {n}',
    'track.photo.chosen': 'Vald: {name}',
  },
  en: {
    'lang.other': 'Svenska',
    'lang.other.code': 'sv',
    'err.heading': 'There is a problem',
    'err.prefix': 'Error:',
    'err.doctitle': 'Error: ',
    'err.kind': 'Select what kind of event it is',
    'err.org_unit_id': 'Choose a workplace or unit from the list',
    'err.org_unit_id.nolist': 'The list of workplaces could not be loaded. Try again when you have a connection.',
    'err.occurred_at': 'Enter the date and time when it happened',
    'err.occurred_at.in_future': 'The time cannot be in the future',
    'err.title': 'The title must be 3–120 characters',
    'err.title.required': 'Enter a title',
    'err.description': 'The description must be 10–5000 characters',
    'err.description.required': 'Describe what happened',
    'err.location': 'The place must be at most 200 characters',
    'err.immediate_action': 'What was done must be at most 2000 characters',
    'err.consequences': 'Choose only from the listed options',
    'err.latitude': 'The location could not be used. Remove it and try again.',
    'err.reporter.name': 'The name must be at most 200 characters',
    'err.reporter.email': 'Enter an email address in the correct format, like name@example.se',
    'err.reporter.phone': 'Enter a phone number with 5–20 digits, like 0455-30 30 00',
    'err.photos.max': 'You can attach at most 5 photos',
    'err.photos.type': '“{name}” is not an image',
    'err.photos.read': 'The photo “{name}” could not be read. Try another photo or take a new one.',
    'err.text': 'Enter a comment of at most 5000 characters',
    'err.file': 'Choose a photo to send',
    'err.unknown': 'Check the details',
    'err.server': 'Something went wrong on our side. Please try again in a moment.',
    'err.network': 'Could not reach the server. Check your connection and try again.',
    'err.rejected': 'The report could not be accepted ({status}).',
    'err.notsent': 'It could not be sent ({status}).',
    'units.loading': 'Loading workplaces …',
    'units.failed': 'The list of workplaces could not be loaded.',
    'units.cached': 'Showing the saved list of workplaces.',
    'units.retry': 'Try again',
    'units.none': 'No workplace matches “{q}”. Try another part of the name.',
    'units.count.one': '1 result. Use the up and down arrows to choose.',
    'units.count.other': '{n} results. Use the up and down arrows to choose.',
    'units.more': 'Showing {shown} of {n}. Type more to narrow down.',
    'units.selected': 'Selected: {name}',
    'pos.getting': 'Getting your location …',
    'pos.set': 'Location saved: {lat}, {lon} (about ±{acc} m).',
    'pos.denied': 'Could not get your location. Type the place in the field above instead.',
    'pos.unsupported': 'This device cannot share its location. Type the place in the field above instead.',
    'pos.cleared': 'The location has been removed.',
    'photos.thumb': 'Photo {n}: {name}',
    'photos.remove': 'Remove photo {n}',
    'photos.added': 'Photo added. {n} of 5.',
    'photos.removed': 'Photo removed. {n} of 5.',
    'photos.working': 'Preparing the photo …',
    'outbox.waiting.one': '1 report is saved on this device, waiting for a connection.',
    'outbox.waiting.other': '{n} reports are saved on this device, waiting for a connection.',
    'outbox.sendnow': 'Try to send now',
    'outbox.fix.one': '1 saved report could not be accepted and needs correcting.',
    'outbox.fix.other': '{n} saved reports could not be accepted and need correcting.',
    'outbox.openfix': 'Open and correct',
    'outbox.sent': 'Your saved report “{title}” has been sent. Case number {code}.',
    'outbox.sent.link': 'Follow the case',
    'outbox.restored': 'A saved report could not be accepted. Correct the details below and send it again.',
    'receipt.photosfailed.one': '1 photo could not be sent. You can add it using the link.',
    'receipt.photosfailed.other': '{n} photos could not be sent. You can add them using the link.',
    'receipt.copied': 'The link has been copied.',
    'receipt.copyfailed': 'Could not copy. Select the link and copy it yourself.',
    'form.sending': 'Sending …',
    'form.submit': 'Send the report',
    'statushint.new': 'The report has arrived. The manager of the workplace has been notified.',
    'statushint.acknowledged': 'The manager has read the report.',
    'statushint.investigating': 'The event is being investigated to find the cause.',
    'statushint.action_planned': 'It has been decided what to do so that it does not happen again.',
    'statushint.resolved': 'The actions have been carried out.',
    'statushint.closed': 'The case is closed.',
    'statushint.rejected': 'The report is not handled as a case. See the explanation below.',
    'statushint.duplicate': 'The same event has already been reported and is handled in another case.',
    'kind.accident': 'Accident',
    'kind.near_miss': 'Near miss',
    'kind.risk_observation': 'Risk observation',
    'kind.threat_violence': 'Threats and violence',
    'kind.work_illness': 'Work-related illness',
    'kind.commuting_accident': 'Commuting accident',
    'kind.property_damage': 'Damage to property',
    'kind.environmental': 'Environmental event',
    'kind.extraordinary_event': 'Extraordinary event',
    'kind.security': 'Security or information security',
    'track.notfound.h': 'We cannot find the case',
    'track.notfound.p': 'There is no case with the code “{code}”. Check that you copied the whole link. If you just got the link, it may take a moment before the case shows.',
    'track.nocode.p': 'The link has no case code. Use the whole link you got when you reported.',
    'track.failed.h': 'The case could not be loaded',
    'track.noupdates': 'No updates yet.',
    'track.closed': 'The case is closed, so you cannot add more. Contact your manager if you have questions.',
    'track.comment.sent': 'Thank you, your comment has been sent.',
    'track.photo.sent': 'Thank you, the photo has been sent.',
    'track.photo.alt': 'Photo {n}',
    'track.photo.chosen': 'Selected: {name}',
  },
};

let current = readStored();
const listeners = [];
const svText = new WeakMap();
const svAttr = new WeakMap();

function readStored() {
  try {
    const v = localStorage.getItem(STORE_KEY);
    return v === 'en' ? 'en' : 'sv';
  } catch {
    return 'sv';
  }
}

// Pages with their own texts (the staff pages) add them here before initPage(), so this file
// stays the one place that applies them. Same shapes as EN_STATIC and MSG.
export function addMessages({ enStatic = {}, sv = {}, en = {} }) {
  Object.assign(EN_STATIC, enStatic);
  Object.assign(MSG.sv, sv);
  Object.assign(MSG.en, en);
}

export function lang() {
  return current;
}

export function has(key) {
  return key in MSG[current] || key in MSG.sv;
}

export function t(key, vars) {
  let s = MSG[current][key] ?? MSG.sv[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// Plural: picks key.one / key.other; {n} is the count.
export function tn(key, n, vars) {
  return t(`${key}.${n === 1 ? 'one' : 'other'}`, { n, ...vars });
}

export function fmtDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(current === 'en' ? 'en-GB' : 'sv-SE', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Stockholm',
  }).format(d);
}

function applyStatic() {
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    if (!svText.has(el)) svText.set(el, el.textContent);
    const key = el.dataset.i18n;
    el.textContent = current === 'sv' ? svText.get(el) : EN_STATIC[key] ?? svText.get(el);
  }
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    if (!svAttr.has(el)) svAttr.set(el, {});
    const saved = svAttr.get(el);
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split('=');
      if (!(attr in saved)) saved[attr] = el.getAttribute(attr);
      el.setAttribute(attr, current === 'sv' ? saved[attr] : EN_STATIC[key] ?? saved[attr]);
    }
  }
  // Long texts (the accessibility statement) are written out in both languages.
  for (const el of document.querySelectorAll('[data-lang]')) el.hidden = el.dataset.lang !== current;
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    toggle.textContent = t('lang.other');
    toggle.lang = t('lang.other.code');
  }
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'sv';
  try {
    localStorage.setItem(STORE_KEY, current);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyStatic();
  for (const fn of listeners) fn(current);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// Common start-up for every page: language, toggle button, service worker.
export function initPage() {
  applyStatic();
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', () => setLang(current === 'sv' ? 'en' : 'sv'));
  }
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      /* the pages work without it; only offline start-up is lost */
    });
  }
}
