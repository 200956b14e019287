using Xunit;

public static class Calc
{
    public static int Add(int a, int b) => a + b;
}

public class CalcTests
{
    [Fact]
    public void AddPasses() => Assert.Equal(5, Calc.Add(2, 3));

    [Fact]
    public void AddFails() => Assert.Equal(5, Calc.Add(2, 2));
}
