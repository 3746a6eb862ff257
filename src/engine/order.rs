//! Stable sorting of hits, findings and windows by span, through one shared sort.
//!
//! Each `sort_by_key` call site instantiates the standard library's stable sort anew, and
//! each element type its unstable sort (several KB of wasm apiece, for lists that rarely
//! hold more than a few hundred entries). Sorting
//! `(key, index)` triples with `sort_unstable` gives the same order as a stable sort by
//! the key, and every call site shares that one instantiation.

/// Sorts `items` by `key`, keeping items with equal keys in their present order.
pub(crate) fn sort_by_span<T>(items: &mut Vec<T>, key: impl Fn(&T) -> (usize, usize)) {
    if items.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1])) {
        return;
    }
    let mut order: Vec<(usize, usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let (a, b) = key(item);
            (a, b, index)
        })
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&(_, _, index)| slots[index].take()));
}

#[cfg(test)]
mod tests {
    use super::sort_by_span;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e'), (3, 'f')];
        let mut expected = items.clone();
        expected.sort_by_key(|i| i.0);
        sort_by_span(&mut items, |i| (i.0, 0));
        assert_eq!(items, expected);
    }

    #[test]
    fn agrees_with_the_standard_stable_sort() {
        // A fixed pseudo-random sequence with many ties in both key parts.
        let mut x = 0x2545_f491u32;
        let mut items: Vec<(usize, usize, usize)> = (0..500)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                ((x % 17) as usize, (x / 17 % 5) as usize, i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by_key(|t| (t.0, usize::MAX - t.1));
        sort_by_span(&mut items, |t| (t.0, usize::MAX - t.1));
        assert_eq!(items, expected);
    }
}
