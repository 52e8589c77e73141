/** An invalid filter expression; `column` (1-based) is where the problem is. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}
