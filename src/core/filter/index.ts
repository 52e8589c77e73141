/**
 * The display filter language (see parser.ts for the grammar, compile.ts for
 * the fields). `compileFilter` never throws: an invalid expression comes back
 * as an error with the column to show under the filter box.
 */
import { compileNode, type CompileContext, type PacketPredicate } from './compile';
import { FilterSyntaxError } from './filterError';
import { parseFilter } from './parser';

export type { CompileContext, PacketPredicate } from './compile';
export { PROTOCOL_WORDS } from './compile';
export { FilterSyntaxError } from './filterError';
export { FilteredRows } from './filteredRows';

export type CompiledFilter =
  /** `predicate` is undefined for an empty expression: every packet passes. */
  | { ok: true; predicate: PacketPredicate | undefined }
  | { ok: false; message: string; column: number };

export function compileFilter(source: string, context: CompileContext): CompiledFilter {
  try {
    const tree = parseFilter(source);
    return { ok: true, predicate: tree ? compileNode(tree, context) : undefined };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, message: error.message, column: error.column };
    throw error;
  }
}
