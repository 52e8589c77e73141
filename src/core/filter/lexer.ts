/**
 * Tokens of the display filter language. Columns are 1-based because they are
 * shown to the user ("at column 9").
 */
import { FilterSyntaxError } from './filterError';

export type TokenKind =
  | 'word' // field names, protocol words, numbers, addresses, names: ip.addr, tcp, 80, 172.17.0.2, fe80::1, eth0
  | 'string' // "quoted text"
  | 'op' // == != < <= > >=
  | 'and'
  | 'or'
  | 'not'
  | 'contains'
  | 'matches' // matches, ~ (a regular expression)
  | 'lparen'
  | 'rparen'
  | 'lbrace' // { and } around the set of `field in {...}`
  | 'rbrace'
  | 'comma';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: the unescaped content). */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

/** `\xNN` in a string becomes U+F700+NN; see `stringToBytes`. */
export const RAW_BYTE_BASE = 0xf700;

/** A string value as bytes: text as UTF-8, `\xNN` escapes as the raw byte. */
export function stringToBytes(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  let pending = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= RAW_BYTE_BASE && code <= RAW_BYTE_BASE + 0xff) {
      if (pending) out.push(...encoder.encode(pending));
      pending = '';
      out.push(code - RAW_BYTE_BASE);
    } else {
      pending += ch;
    }
  }
  if (pending) out.push(...encoder.encode(pending));
  return Uint8Array.from(out);
}

/** A string value as text: `\xNN` escapes become the character NN. */
export function stringToText(text: string): string {
  return text.replace(/[\uf700-\uf7ff]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - RAW_BYTE_BASE));
}

const WORD_CHAR = /[A-Za-z0-9_.:/\-]/;

/** Word spellings of operators (Wireshark's `eq`, `and`...), case-insensitive. */
const WORD_OPERATORS: Record<string, { kind: TokenKind; text: string }> = {
  and: { kind: 'and', text: 'and' },
  or: { kind: 'or', text: 'or' },
  not: { kind: 'not', text: 'not' },
  contains: { kind: 'contains', text: 'contains' },
  matches: { kind: 'matches', text: 'matches' },
  eq: { kind: 'op', text: '==' },
  ne: { kind: 'op', text: '!=' },
  lt: { kind: 'op', text: '<' },
  le: { kind: 'op', text: '<=' },
  gt: { kind: 'op', text: '>' },
  ge: { kind: 'op', text: '>=' },
};

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const column = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, column });
      i += 2;
    } else if (two === '&&') {
      tokens.push({ kind: 'and', text: '&&', column });
      i += 2;
    } else if (two === '||') {
      tokens.push({ kind: 'or', text: '||', column });
      i += 2;
    } else if (ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, column });
      i++;
    } else if (ch === '=') {
      // A single `=` is a common slip for `==`; accept it rather than nag.
      tokens.push({ kind: 'op', text: '==', column });
      i++;
    } else if (ch === '!') {
      tokens.push({ kind: 'not', text: '!', column });
      i++;
    } else if (ch === '~') {
      tokens.push({ kind: 'matches', text: 'matches', column });
      i++;
    } else if (ch === '{' || ch === '}' || ch === ',') {
      tokens.push({ kind: ch === '{' ? 'lbrace' : ch === '}' ? 'rbrace' : 'comma', text: ch, column });
      i++;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', text: '(', column });
      i++;
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', text: ')', column });
      i++;
    } else if (ch === '"' || ch === "'") {
      const [text, end] = readString(source, i);
      tokens.push({ kind: 'string', text, column });
      i = end;
    } else if (WORD_CHAR.test(ch)) {
      let end = i + 1;
      while (end < source.length && WORD_CHAR.test(source[end] as string)) end++;
      const text = source.slice(i, end);
      const operator = WORD_OPERATORS[text.toLowerCase()];
      tokens.push(operator ? { kind: operator.kind, text: operator.text, column } : { kind: 'word', text, column });
      i = end;
    } else {
      throw new FilterSyntaxError(`unexpected character '${ch}' at column ${column}`, column);
    }
  }
  return tokens;
}

function readString(source: string, start: number): [string, number] {
  const quote = source[start];
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === quote) return [text, i + 1];
    if (ch === '\\' && i + 1 < source.length) {
      const next = source[i + 1] as string;
      const hex = next === 'x' ? source.slice(i + 2, i + 4) : '';
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        // \xNN: one raw byte, so binary payloads can be searched for. Kept apart
        // from text (which is matched as UTF-8) in a private-use code point.
        text += String.fromCharCode(RAW_BYTE_BASE + parseInt(hex, 16));
        i += 4;
        continue;
      }
      text += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
      i += 2;
      continue;
    }
    text += ch;
    i++;
  }
  throw new FilterSyntaxError(`unterminated string starting at column ${start + 1}`, start + 1);
}
