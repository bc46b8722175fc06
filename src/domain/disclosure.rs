//! Disclosure control for the open statistics: small counts are never published, and no
//! hidden cell can be worked out by subtracting the visible cells from a published total.
//!
//! A published table is a set of cells and a set of *relations* `total = Σ parts` (its row
//! and column totals). Primary suppression hides small counts and cost sums with few cases
//! or one dominating case; secondary suppression then hides more cells until no relation has
//! exactly one hidden member — the condition under which plain differencing, even repeated
//! (solve one relation, use the result in the next), recovers nothing. [`recoverable`] is that
//! attack, used by the tests on what is published.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One case above this share (basis points) of a cost cell makes the cell dominated.
pub const DOMINANCE_BP: i64 = 8_000;

/// Why a published cell shows no number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// A count below the threshold, or a cost sum of fewer cases than the threshold.
    Small,
    /// One case makes up more than 80 % of a cost sum.
    Dominated,
    /// Hidden so that a small or dominated cell cannot be recovered from the totals.
    Secondary,
}

/// `total = Σ parts`, as indices into the cells of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Primary protection of a count.
pub fn count_rule(n: i64, threshold: i64) -> Option<Protection> {
    (n < threshold).then_some(Protection::Small)
}

/// Primary protection of a cost sum: fewer cases than the threshold, or one case's net (in
/// absolute value) more than [`DOMINANCE_BP`] of the cases' absolute nets together.
pub fn cost_rule(case_nets: &[i64], threshold: i64) -> Option<Protection> {
    if (case_nets.len() as i64) < threshold {
        return Some(Protection::Small);
    }
    let sum: i128 = case_nets.iter().map(|n| i128::from(n.unsigned_abs())).sum();
    let max: i128 = case_nets
        .iter()
        .map(|n| i128::from(n.unsigned_abs()))
        .max()
        .unwrap_or(0);
    (sum > 0 && max * 10_000 > sum * i128::from(DOMINANCE_BP)).then_some(Protection::Dominated)
}

/// Secondary suppression: hides further cells until no relation has exactly one hidden
/// member. Among the candidates it hides the smallest (the least information lost), a part
/// before the total. `primary[i]` is the protection the rules gave cell `i`; `size[i]` what
/// hiding it costs (the count, or the absolute money).
pub fn protect(
    size: &[i64],
    primary: &[Option<Protection>],
    relations: &[Relation],
) -> Vec<Option<Protection>> {
    let mut out = primary.to_vec();
    loop {
        let mut changed = false;
        for rel in relations {
            let hidden = std::iter::once(rel.total)
                .chain(rel.parts.iter().copied())
                .filter(|i| out[*i].is_some())
                .count();
            if hidden != 1 {
                continue;
            }
            let part = rel
                .parts
                .iter()
                .copied()
                .filter(|i| out[*i].is_none())
                .min_by_key(|i| (size[*i].unsigned_abs(), *i));
            let pick = part.or((out[rel.total].is_none()).then_some(rel.total));
            if let Some(i) = pick {
                out[i] = Some(Protection::Secondary);
                changed = true;
            }
        }
        // Every round hides at least one more cell, so this ends within `size.len()` rounds.
        if !changed {
            return out;
        }
    }
}

/// The differencing attack: from the visible cells (`None` where hidden) and the published
/// relations, solves every relation with one unknown, again and again. Answers the hidden
/// cells it recovered, with their values.
pub fn recoverable(visible: &[Option<i64>], relations: &[Relation]) -> Vec<(usize, i64)> {
    let mut known: Vec<Option<i64>> = visible.to_vec();
    let mut found = Vec::new();
    loop {
        let mut progress = false;
        for rel in relations {
            let members: Vec<usize> = std::iter::once(rel.total)
                .chain(rel.parts.iter().copied())
                .collect();
            let unknown: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| known[*i].is_none())
                .collect();
            if unknown.len() != 1 {
                continue;
            }
            let u = unknown[0];
            let parts: i64 = rel.parts.iter().filter_map(|i| known[*i]).sum();
            let value = if u == rel.total {
                parts
            } else {
                known[rel.total].unwrap_or(0) - parts
            };
            known[u] = Some(value);
            found.push((u, value));
            progress = true;
        }
        if !progress {
            return found;
        }
    }
}

/// A cube of counts over dimensions of the given sizes, with every margin published: a cell
/// key holds per dimension a value `0..size` or `size` for "all". Cells are numbered in
/// row-major order over `size + 1` values per dimension.
#[derive(Debug, Clone)]
pub struct Cube {
    pub sizes: Vec<usize>,
}

impl Cube {
    pub fn len(&self) -> usize {
        self.sizes.iter().map(|s| s + 1).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn index(&self, key: &[usize]) -> usize {
        key.iter()
            .zip(&self.sizes)
            .fold(0, |acc, (k, s)| acc * (s + 1) + k)
    }

    pub fn key(&self, mut index: usize) -> Vec<usize> {
        let mut key = vec![0; self.sizes.len()];
        for (d, s) in self.sizes.iter().enumerate().rev() {
            key[d] = index % (s + 1);
            index /= s + 1;
        }
        key
    }

    /// Every cell's value from the base cells (keys without "all").
    pub fn fill(&self, base: impl Fn(&[usize]) -> i64) -> Vec<i64> {
        let mut values = vec![0; self.len()];
        for i in 0..self.len() {
            let key = self.key(i);
            if key.iter().zip(&self.sizes).all(|(k, s)| k < s) {
                let v = base(&key);
                // Add the base cell into every margin it belongs to.
                for mask in 0..(1usize << key.len()) {
                    let mut k = key.clone();
                    for (d, kd) in k.iter_mut().enumerate() {
                        if mask & (1 << d) != 0 {
                            *kd = self.sizes[d];
                        }
                    }
                    values[self.index(&k)] += v;
                }
            }
        }
        values
    }

    /// The relations: for each cell and each dimension it totals over, the cell equals the
    /// sum of the cells with that dimension spelled out.
    pub fn relations(&self) -> Vec<Relation> {
        let mut out = Vec::new();
        for i in 0..self.len() {
            let key = self.key(i);
            for (d, s) in self.sizes.iter().enumerate() {
                if key[d] == *s && *s > 0 {
                    let parts = (0..*s)
                        .map(|v| {
                            let mut k = key.clone();
                            k[d] = v;
                            self.index(&k)
                        })
                        .collect();
                    out.push(Relation { total: i, parts });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(values: &[i64], p: &[Option<Protection>]) -> Vec<Option<i64>> {
        values
            .iter()
            .zip(p)
            .map(|(v, p)| p.is_none().then_some(*v))
            .collect()
    }

    #[test]
    fn small_counts_and_dominated_costs_are_primary() {
        assert_eq!(count_rule(4, 5), Some(Protection::Small));
        assert_eq!(count_rule(0, 5), Some(Protection::Small));
        assert_eq!(count_rule(5, 5), None);
        assert_eq!(cost_rule(&[100; 4], 5), Some(Protection::Small));
        assert_eq!(cost_rule(&[100; 5], 5), None);
        // 900 of 1000 is 90 %: dominated; 800 of 1000 is exactly 80 %: not.
        assert_eq!(
            cost_rule(&[900, 25, 25, 25, 25], 5),
            Some(Protection::Dominated)
        );
        assert_eq!(cost_rule(&[800, 50, 50, 50, 50], 5), None);
        // A recovery counts by its size, not its sign.
        assert_eq!(
            cost_rule(&[-900, 25, 25, 25, 25], 5),
            Some(Protection::Dominated)
        );
    }

    #[test]
    fn a_single_hidden_cell_in_a_row_gets_a_partner() {
        // One row: total 30 = 3 + 12 + 15. The 3 is small; 12 is the next smallest.
        let values = [30, 3, 12, 15];
        let rel = vec![Relation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let primary: Vec<_> = values.iter().map(|v| count_rule(*v, 5)).collect();
        let p = protect(&values, &primary, &rel);
        assert_eq!(
            p,
            vec![
                None,
                Some(Protection::Small),
                Some(Protection::Secondary),
                None
            ]
        );
        assert!(recoverable(&visible(&values, &p), &rel).is_empty());
        // Without the secondary suppression the attack finds the 3.
        assert_eq!(recoverable(&visible(&values, &primary), &rel), vec![(1, 3)]);
    }

    #[test]
    fn the_differencing_attack_recovers_nothing_from_a_protected_cube() {
        // 3 units × 4 months × 2 kinds, with every margin: a hand-made table where small cells
        // sit in rows and columns of their own, so one round of partners is not enough.
        let base = [
            [[10, 2], [7, 9], [12, 0], [8, 8]],
            [[1, 6], [11, 14], [6, 6], [9, 3]],
            [[20, 20], [20, 20], [20, 4], [20, 20]],
        ];
        let cube = Cube {
            sizes: vec![3, 4, 2],
        };
        let values = cube.fill(|k| base[k[0]][k[1]][k[2]]);
        assert_eq!(values[cube.index(&[3, 4, 2])], 256, "the grand total");
        assert_eq!(values[cube.index(&[0, 4, 2])], 56, "unit 0 over the year");
        let relations = cube.relations();
        let primary: Vec<_> = values.iter().map(|v| count_rule(*v, 5)).collect();
        let before = recoverable(&visible(&values, &primary), &relations);
        assert!(!before.is_empty(), "the primary suppression alone leaks");
        for (i, v) in &before {
            assert_eq!(*v, values[*i], "the attack finds true values");
        }
        let p = protect(&values, &primary, &relations);
        for (i, v) in values.iter().enumerate() {
            if *v < 5 {
                assert!(p[i].is_some(), "cell {i} = {v} is shown");
            }
        }
        assert!(recoverable(&visible(&values, &p), &relations).is_empty());
        // It hides what it must, not everything: the grand total stays.
        assert!(p[cube.index(&[3, 4, 2])].is_none());
    }

    #[test]
    fn cube_indices_round_trip() {
        let cube = Cube {
            sizes: vec![2, 3, 4],
        };
        assert_eq!(cube.len(), 3 * 4 * 5);
        for i in 0..cube.len() {
            assert_eq!(cube.index(&cube.key(i)), i);
        }
    }
}
