from calc import add


def test_add_passes():
    assert add(2, 3) == 5


def test_add_fails():
    result = add(2, 2)
    assert result == 5, "2 + 2 should be 5 here, on purpose"
