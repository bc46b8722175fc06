// Prints Lighthouse scores and key metrics; exits 1 when a page misses a floor.
import { readFileSync } from 'node:fs';

const floors = { accessibility: 100, 'best-practices': 95, performance: 90 };
let failed = false;
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const scores = Object.fromEntries(Object.entries(r.categories).map(([k, c]) => [k, Math.round(c.score * 100)]));
  const metrics = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'total-byte-weight']
    .map((id) => `${id} ${r.audits[id]?.displayValue ?? '?'}`)
    .join(', ');
  console.log(`${r.finalDisplayedUrl} (Lighthouse ${r.lighthouseVersion}, mobile): ${JSON.stringify(scores)}; ${metrics}`);
  for (const [category, floor] of Object.entries(floors)) {
    if (scores[category] < floor) {
      failed = true;
      console.log(`  ${category} ${scores[category]} is below ${floor}; failing audits:`);
      for (const ref of r.categories[category].auditRefs) {
        const a = r.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`   - ${a.id}: ${a.title} ${a.displayValue ?? ''}`);
      }
    }
  }
}
process.exit(failed ? 1 : 0);
