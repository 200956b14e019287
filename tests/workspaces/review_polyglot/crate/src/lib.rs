pub fn double(x: i32) -> i32 {
    return x * 2;
}

pub fn same(x: f64) -> bool {
    x == x
}
