/** One thing wrong with a configuration file, located by character offset in its text. */
export interface Problem {
  /** An error stops the configuration; a warning says what is wrong or unknown; a note says what was assumed. */
  severity: 'error' | 'warning' | 'info';
  message: string;
  offset: number;
  length: number;
  /** The file it is in, as shown to the user, when the configuration spans several (a crew); else the main one. */
  file?: string;
}

/** A 1-based line and column, as editors and compilers print them. */
export interface Position {
  line: number;
  column: number;
}

/** Maps character offsets to lines and columns with a binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}

/** `file:line:column: message`, with `warning: ` before the message of a warning. */
export function formatProblem(file: string, lines: LineIndex, problem: Problem): string {
  const { line, column } = lines.position(problem.offset);
  const severity = problem.severity === 'warning' ? 'warning: ' : problem.severity === 'info' ? 'note: ' : '';
  return `${file}:${line}:${column}: ${severity}${problem.message}`;
}

/** In file order: by file (in `files` order, the main one first; else as they come), then by place, then by message. */
export function sortProblems(problems: Problem[], files: string[] = []): Problem[] {
  files = [...new Set(['', ...files, ...problems.map((problem) => problem.file ?? '')])];
  const rank = (problem: Problem): number => files.indexOf(problem.file ?? '');
  return [...problems].sort((a, b) => rank(a) - rank(b) || a.offset - b.offset || a.message.localeCompare(b.message));
}
