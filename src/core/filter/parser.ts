/**
 * Recursive-descent parser for the display filter language:
 *
 *   expr    := and (('or' | '||') and)*
 *   and     := unary (('and' | '&&') unary)*
 *   unary   := ('not' | '!') unary | primary
 *   primary := '(' expr ')'
 *            | 'contains' value                 (text in the payload)
 *            | word op value | word 'contains' value | word 'matches' value
 *            | word 'in' '{' value (','? value)* '}'   (a value may be a range: 1..1024)
 *            | word                             (a protocol word, `in`, `out`, or a field: present)
 *
 * No eval: the tree is compiled to closures by compile.ts.
 */
import { FilterSyntaxError } from './filterError';
import { tokenize, type Token } from './lexer';

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ValueNode {
  text: string;
  /** True for "quoted" values. */
  quoted: boolean;
  column: number;
}

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; field: string; fieldColumn: number; operator: CompareOperator; operatorColumn: number; value: ValueNode }
  | { kind: 'contains'; field: string; fieldColumn: number; value: ValueNode }
  | { kind: 'matches'; field: string; fieldColumn: number; value: ValueNode }
  | { kind: 'in'; field: string; fieldColumn: number; values: ValueNode[] }
  | { kind: 'bare'; word: string; column: number };

/** Parses `source`; undefined for an empty (all-blank) expression. Throws FilterSyntaxError. */
export function parseFilter(source: string): FilterNode | undefined {
  const tokens = tokenize(source);
  if (tokens.length === 0) return undefined;
  const parser = new Parser(tokens, source.length);
  const node = parser.parseExpression();
  parser.expectEnd();
  return node;
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly sourceLength: number,
  ) {}

  parseExpression(): FilterNode {
    let left = this.parseAnd();
    while (this.peek()?.kind === 'or') {
      const operator = this.next();
      const right = this.parseAnd(operator);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (!token) return;
    if (token.kind === 'rparen') throw new FilterSyntaxError(`unmatched ')' at column ${token.column}`, token.column);
    throw new FilterSyntaxError(`expected 'and' or 'or' before '${token.text}' at column ${token.column}`, token.column);
  }

  private parseAnd(after?: Token): FilterNode {
    let left = this.parseUnary(after);
    while (this.peek()?.kind === 'and') {
      const operator = this.next();
      const right = this.parseUnary(operator);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseUnary(after?: Token): FilterNode {
    const token = this.peek();
    if (token?.kind === 'not') {
      this.next();
      return { kind: 'not', operand: this.parseUnary(token) };
    }
    return this.parsePrimary(after);
  }

  private parsePrimary(after?: Token): FilterNode {
    const token = this.peek();
    if (!token) {
      const column = this.sourceLength + 1;
      if (after) throw new FilterSyntaxError(`expected an expression after '${after.text}' at column ${after.column}`, after.column);
      throw new FilterSyntaxError(`expected an expression at column ${column}`, column);
    }
    switch (token.kind) {
      case 'lparen': {
        this.next();
        const inner = this.parseExpression();
        const close = this.peek();
        if (close?.kind !== 'rparen') {
          const column = close?.column ?? this.sourceLength + 1;
          throw new FilterSyntaxError(`expected ')' to close the '(' at column ${token.column}`, column);
        }
        this.next();
        return inner;
      }
      case 'contains': {
        this.next();
        return { kind: 'contains', field: 'payload', fieldColumn: token.column, value: this.parseValue(token) };
      }
      case 'word': {
        this.next();
        const operator = this.peek();
        if (operator?.kind === 'op') {
          this.next();
          return {
            kind: 'compare',
            field: token.text.toLowerCase(),
            fieldColumn: token.column,
            operator: operator.text as CompareOperator,
            operatorColumn: operator.column,
            value: this.parseValue(operator),
          };
        }
        if (operator?.kind === 'contains' || operator?.kind === 'matches') {
          this.next();
          return { kind: operator.kind, field: token.text.toLowerCase(), fieldColumn: token.column, value: this.parseValue(operator) };
        }
        if (operator?.kind === 'word' && operator.text.toLowerCase() === 'in' && this.tokens[this.index + 1]?.kind === 'lbrace') {
          this.next();
          return { kind: 'in', field: token.text.toLowerCase(), fieldColumn: token.column, values: this.parseSet() };
        }
        return { kind: 'bare', word: token.text.toLowerCase(), column: token.column };
      }
      case 'string':
        throw new FilterSyntaxError(`a quoted value needs a field before it, e.g. payload contains "${token.text}" (column ${token.column})`, token.column);
      default:
        if (after) throw new FilterSyntaxError(`expected an expression after '${after.text}' at column ${after.column}, found '${token.text}'`, token.column);
        throw new FilterSyntaxError(`unexpected '${token.text}' at column ${token.column}`, token.column);
    }
  }

  /** `{ 80 443, 8000..8080 }`: commas optional, at least one value. */
  private parseSet(): ValueNode[] {
    const open = this.next();
    const values: ValueNode[] = [];
    for (;;) {
      const token = this.peek();
      if (!token) throw new FilterSyntaxError(`expected '}' to close the '{' at column ${open.column}`, this.sourceLength + 1);
      if (token.kind === 'rbrace') {
        this.next();
        if (values.length === 0) throw new FilterSyntaxError(`an empty set at column ${open.column}`, open.column);
        return values;
      }
      if (token.kind === 'comma' && values.length > 0) {
        this.next();
        continue;
      }
      values.push(this.parseValue(values.length === 0 ? open : token));
    }
  }

  private parseValue(operator: Token): ValueNode {
    const token = this.peek();
    if (!token || (token.kind !== 'word' && token.kind !== 'string')) {
      throw new FilterSyntaxError(`expected a value after '${operator.text}' at column ${operator.column}`, operator.column);
    }
    this.next();
    return { text: token.text, quoted: token.kind === 'string', column: token.column };
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (!token) throw new Error('parser read past the end');
    this.index++;
    return token;
  }
}
