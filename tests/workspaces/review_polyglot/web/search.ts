export function matches(pattern: string, text: string): boolean {
  const re = new RegExp(pattern);
  return re.test(text);
}

export function kind(value: unknown): boolean {
  return typeof value === "strnig";
}
