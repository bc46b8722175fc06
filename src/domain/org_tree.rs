//! Rules of the line organisation as a tree: every parent exists, no unit is its own
//! ancestor, and the closure (every ancestor–descendant pair) follows from the parent links.

use std::collections::BTreeMap;

use super::{CleanText, Email, OrgCode, OrgUnitKind};

/// A unit as an import file describes it, after parsing.
#[derive(Debug, Clone)]
pub struct UnitSpec {
    pub code: OrgCode,
    pub name: CleanText,
    pub kind: OrgUnitKind,
    pub parent_code: Option<OrgCode>,
    pub manager_name: Option<CleanText>,
    pub manager_email: Option<Email>,
    pub deputy_name: Option<CleanText>,
    pub deputy_email: Option<Email>,
    pub safety_rep_email: Option<Email>,
    /// The manager's absence (both days inclusive), when the file gives one; `None` leaves
    /// what is stored as it is.
    pub manager_away: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Headcount, when the file gives one (reports per 100 employees in the yearly
    /// follow-up); `None` leaves what is stored as it is.
    pub employees: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError<K: std::fmt::Debug> {
    #[error("parent {parent:?} of {child:?} does not exist")]
    MissingParent { child: K, parent: K },
    #[error("{0:?} is its own ancestor")]
    Cycle(K),
}

/// All (ancestor, descendant, depth) pairs of a forest given as child → parent, including each
/// node with itself at depth 0. Fails on a missing parent or a cycle.
pub fn closure<K>(parents: &BTreeMap<K, Option<K>>) -> Result<Vec<(K, K, i32)>, TreeError<K>>
where
    K: Ord + Clone + std::fmt::Debug,
{
    let mut pairs = Vec::with_capacity(parents.len() * 4);
    for node in parents.keys() {
        pairs.push((node.clone(), node.clone(), 0));
        let mut current = node;
        let mut depth = 0;
        while let Some(Some(parent)) = parents.get(current) {
            if !parents.contains_key(parent) {
                return Err(TreeError::MissingParent {
                    child: current.clone(),
                    parent: parent.clone(),
                });
            }
            depth += 1;
            if parent == node || depth > parents.len() as i32 {
                return Err(TreeError::Cycle(node.clone()));
            }
            pairs.push((parent.clone(), node.clone(), depth));
            current = parent;
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(
        edges: &[(&'static str, Option<&'static str>)],
    ) -> BTreeMap<&'static str, Option<&'static str>> {
        edges.iter().cloned().collect()
    }

    #[test]
    fn closure_of_a_small_tree() {
        let t = tree(&[
            ("root", None),
            ("a", Some("root")),
            ("a1", Some("a")),
            ("b", Some("root")),
        ]);
        let mut pairs = closure(&t).unwrap();
        pairs.sort();
        assert!(pairs.contains(&("root", "a1", 2)));
        assert!(pairs.contains(&("a", "a1", 1)));
        assert!(pairs.contains(&("a1", "a1", 0)));
        assert!(!pairs
            .iter()
            .any(|(anc, desc, _)| *anc == "b" && *desc == "a1"));
        assert_eq!(pairs.len(), 4 + 3 + 1);
    }

    #[test]
    fn cycles_and_missing_parents_fail() {
        let t = tree(&[("a", Some("b")), ("b", Some("a"))]);
        assert!(matches!(closure(&t), Err(TreeError::Cycle(_))));
        let t = tree(&[("a", Some("nope"))]);
        assert_eq!(
            closure(&t),
            Err(TreeError::MissingParent {
                child: "a",
                parent: "nope"
            })
        );
    }
}
