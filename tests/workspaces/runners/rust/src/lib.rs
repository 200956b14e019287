/// Returns the sum of a and b.
pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_passes() {
        assert_eq!(add(2, 3), 5);
    }

    #[test]
    fn add_fails() {
        assert_eq!(add(2, 2), 5, "2 + 2 should be 5 here, on purpose");
    }
}
