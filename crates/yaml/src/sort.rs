//! go-yaml v2's "natural" map key order, the order kustomize prints keys in.
//!
//! Keys compare rune by rune. At the first difference: two letters compare
//! by code point; a letter sorts after a non-letter; otherwise the digit
//! runs starting there are compared as numbers (a shorter run first on a
//! tie), and if neither starts a number the code points decide. When one key
//! is a prefix of the other, the shorter one comes first.

fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        c.is_numeric()
    }
}

/// go-yaml v2's `keyList.Less` for two string keys.
pub(crate) fn natural_less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        less_impl(a.as_bytes(), b.as_bytes(), |c: &u8| char::from(*c))
    } else {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        less_impl(&ar, &br, |c: &char| *c)
    }
}

fn less_impl<T: PartialEq>(ar: &[T], br: &[T], ch: impl Fn(&T) -> char) -> bool {
    let n = ar.len().min(br.len());
    for i in 0..n {
        if ar[i] == br[i] {
            continue;
        }
        let (ca, cb) = (ch(&ar[i]), ch(&br[i]));
        let al = is_letter(ca);
        let bl = is_letter(cb);
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ca == '0' || cb == '0' {
            let mut j = i;
            while j > 0 && is_digit(ch(&ar[j - 1])) {
                if ch(&ar[j - 1]) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ch(&ar[ai])) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ch(&ar[ai]) as u32) - i64::from(b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(ch(&br[bi])) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(ch(&br[bi]) as u32) - i64::from(b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ca < cb;
    }
    ar.len() < br.len()
}

/// A total ordering derived from [`natural_less`].
#[cfg(test)]
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Sorts keys in natural order with a merge sort that only ever calls the
/// comparison (so an odd, non-transitive pair of keys cannot make the sort
/// panic; the standard library's sorts may panic on inconsistent orders).
pub(crate) fn sort_keys(keys: &mut Vec<&String>) {
    if keys.len() < 2 {
        return;
    }
    // Fast path: already in order (common for kustomize's own output).
    if keys.windows(2).all(|w| !natural_less(w[1], w[0])) {
        return;
    }
    if keys.len() <= 16 {
        // Insertion sort.
        for i in 1..keys.len() {
            let mut j = i;
            while j > 0 && natural_less(keys[j], keys[j - 1]) {
                keys.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let mid = keys.len() / 2;
    let mut right = keys.split_off(mid);
    sort_keys(keys);
    sort_keys(&mut right);
    let left = std::mem::take(keys);
    let (mut i, mut j) = (0, 0);
    keys.reserve(left.len() + right.len());
    while i < left.len() && j < right.len() {
        if natural_less(right[j], left[i]) {
            keys.push(right[j]);
            j += 1;
        } else {
            keys.push(left[i]);
            i += 1;
        }
    }
    keys.extend_from_slice(&left[i..]);
    keys.extend_from_slice(&right[j..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_order() {
        let want = ["_x", "1", "2", "10", "B", "Z9", "a", "a2", "a10"];
        let owned: Vec<String> = want.iter().rev().map(|s| (*s).to_owned()).collect();
        let mut keys: Vec<&String> = owned.iter().collect();
        sort_keys(&mut keys);
        let got: Vec<&str> = keys.iter().map(|s| s.as_str()).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn kubernetes_keys() {
        assert!(natural_less("apiVersion", "kind"));
        assert!(natural_less("kind", "metadata"));
        assert!(natural_less("app", "app.kubernetes.io/name"));
        assert!(natural_less("a-b", "a_b"));
        assert_eq!(natural_cmp("x", "x"), std::cmp::Ordering::Equal);
    }

    #[test]
    fn large_sort_is_ordered() {
        let owned: Vec<String> = (0..100).rev().map(|i| format!("k{i}")).collect();
        let mut keys: Vec<&String> = owned.iter().collect();
        sort_keys(&mut keys);
        for w in keys.windows(2) {
            assert!(natural_less(w[0], w[1]), "{} {}", w[0], w[1]);
        }
    }
}
