import type { PyPlace } from './pythonModel';

/**
 * A file's text as Python reads it, with the way back to the file's own places. Python reads source with universal
 * newlines (`\r\n` and `\r` are `\n`) and skips a byte-order mark; the parser is given the same, since it mistakes a
 * backslash before `\r\n` for the end of a string. Offsets into the parsed text map back to the file's.
 */
export class PySource {
  /** The text the parser reads. */
  readonly text: string;
  /** Offsets in `text` at which a character of the file was dropped (each `\r` of `\r\n`, the BOM), ascending. */
  private readonly dropped: number[] = [];
  /** Offsets in the file at which each line starts. */
  private readonly lineStarts: number[] = [0];

  constructor(readonly file: string) {
    let text = '';
    let start = 0;
    if (file.charCodeAt(0) === 0xfeff) {
      this.dropped.push(0);
      start = 1;
    }
    for (let i = start; i < file.length; i++) {
      const code = file.charCodeAt(i);
      if (code === 13 && file.charCodeAt(i + 1) === 10) {
        text += file.slice(start, i);
        this.dropped.push(text.length);
        start = i + 1;
      } else if (code === 13 || code === 10) {
        this.lineStarts.push(i + 1);
      }
    }
    this.text = start === 0 ? file.replace(/\r/g, '\n') : (text + file.slice(start)).replace(/\r/g, '\n');
  }

  /** The file's offset of an offset into `text`. */
  fileOffset(offset: number): number {
    let low = 0;
    let high = this.dropped.length;
    // Count the dropped characters at or before `offset`.
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.dropped[mid]! <= offset) low = mid + 1;
      else high = mid;
    }
    return offset + low;
  }

  /** The place of `text`'s range from..to in the file. */
  place(from: number, to: number): PyPlace {
    const offset = this.fileOffset(from);
    const end = to <= from ? offset : this.fileOffset(to - 1) + 1;
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { offset, length: end - offset, line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }
}
