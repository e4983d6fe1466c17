/**
 * The fenced code blocks of Markdown files, with where they are: enough of CommonMark for the
 * README and docs/ (backtick or tilde fences, indented inside lists, closed by a fence of the same
 * character at least as long).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CodeBlock {
  /** The Markdown file, by its path in the repository (`docs/executor.md`). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word (`ts` in ```ts fragment), '' when the fence has none. */
  readonly language: string;
  /** The info string's other words (`['fragment']` in ```ts fragment). */
  readonly words: readonly string[];
  /** The block's text, its fence's indentation removed, ending with a newline unless empty. */
  readonly code: string;
}

/** README.md, then docs/*.md in name order: the Markdown a user reads. */
export function documentationFiles(repoRoot: string): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

const OPENING_FENCE = /^( *)(`{3,}|~{3,})(.*)$/;

export function readCodeBlocks(repoRoot: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING_FENCE.exec(lines[index] as string);
    if (!opening) continue;
    const [, indent = '', fence = '', info = ''] = opening;
    // A backtick fence's info string has no backtick; such a line is inline code, not a fence.
    if (fence.startsWith('`') && info.includes('`')) continue;
    const closing = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},} *$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end] as string)) {
      const text = lines[end] as string;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
      end++;
    }
    const [language = '', ...words] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({
      file,
      line: index + 1,
      language,
      words,
      code: body.length > 0 ? `${body.join('\n')}\n` : '',
    });
    index = end;
  }
  return blocks;
}
