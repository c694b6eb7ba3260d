/** The object every bucket holds and every verification reads back. */
export const HELLO_KEY = "hello.txt";
export const HELLO_TEXT = "Hello, World!";
/** What is stored: the text and a newline, like `echo "Hello, World!" > hello.txt`. */
export const HELLO_CONTENT = `${HELLO_TEXT}\n`;

/** Where a workload's own `hello.txt` lives: under its prefix (`team-a/hello.txt`, or `hello.txt`). */
export function helloKey(prefix: string): string {
  return `${prefix}${HELLO_KEY}`;
}
