//! Moving an item of an ordered admin list (rules, SLA policies) one place up or down. The
//! list is then numbered 1, 2, 3…, and only the items whose position changes are saved: equal
//! positions, which the API allows, would leave the order to the ids.

/// The items to save after moving the one `is_it` picks one place (`up` or down), each with its
/// new position. Empty when it is already first (up) or last (down), or not in the list.
pub fn moved<T>(mut list: Vec<T>, is_it: impl Fn(&T) -> bool, up: bool, position: impl Fn(&T) -> i32) -> Vec<(T, i32)> {
    let Some(at) = list.iter().position(is_it) else {
        return Vec::new();
    };
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|t| *t < list.len())
    };
    let Some(to) = to else { return Vec::new() };
    list.swap(at, to);
    list.into_iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let new = i32::try_from(index + 1).unwrap_or(i32::MAX);
            (position(&item) != new).then_some((item, new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (id, position)
    fn list(items: &[(i64, i32)]) -> Vec<(i64, i32)> {
        items.to_vec()
    }

    fn save(list: Vec<(i64, i32)>, id: i64, up: bool) -> Vec<(i64, i32)> {
        moved(list, |i| i.0 == id, up, |i| i.1)
            .into_iter()
            .map(|(item, position)| (item.0, position))
            .collect()
    }

    #[test]
    fn moving_up_swaps_with_the_one_before_and_saves_only_those_two() {
        assert_eq!(save(list(&[(7, 1), (8, 2), (9, 3)]), 9, true), vec![(9, 2), (8, 3)]);
    }

    #[test]
    fn moving_down_from_first_place() {
        assert_eq!(save(list(&[(7, 1), (8, 2), (9, 3)]), 7, false), vec![(8, 1), (7, 2)]);
    }

    #[test]
    fn equal_or_gapped_positions_are_renumbered_so_the_order_holds() {
        assert_eq!(
            save(list(&[(7, 5), (8, 5), (9, 9)]), 8, true),
            vec![(8, 1), (7, 2), (9, 3)]
        );
    }

    #[test]
    fn the_ends_and_unknown_ids_change_nothing() {
        assert!(save(list(&[(7, 1), (8, 2)]), 7, true).is_empty());
        assert!(save(list(&[(7, 1), (8, 2)]), 8, false).is_empty());
        assert!(save(list(&[(7, 1), (8, 2)]), 3, true).is_empty());
    }
}
