/**
 * How the list shows its packets: the sorted column (a header click), the Time
 * column's format and name resolution. A sort follows what its column shows,
 * so a change of format or names sorts again.
 */
import type { PacketSort } from '../src/core/sortPackets';
import type { InspectorState, TimeFormat } from './inspectorState';
import type { InspectorViews } from './inspectorViews';
import { sortValue } from './packetColumnValues';

const TIME_FORMAT_NAMES: Record<TimeFormat, string> = { sinceStart: 'seconds since the first packet', sincePrevious: 'seconds since the previous packet', absolute: 'time of day' };

export class DisplayChoices {
  constructor(
    private readonly state: InspectorState,
    private readonly views: InspectorViews,
  ) {}

  /** Sorts the list by a column (or back to arrival order), as a Wireshark header click. */
  sortBy(sort: PacketSort | undefined): void {
    const { state, views } = this;
    state.sorted.setSort(sort, (n) => sortValue(state, sort?.column ?? 'number', n));
    state.sorted.refresh(true);
    views.list.setSortIndicator(sort?.column, sort?.direction);
    // The selected packet stays in view where the sort put it.
    if (views.list.selectedNumber > 0) {
      views.list.setFollow(false);
      views.list.select(views.list.selectedNumber, true);
    }
    views.saveState();
    views.scheduleRender();
  }

  /** The sort follows what the column shows: re-sorted when that changed (names, time format). */
  resortBy(...columns: string[]): void {
    const state = this.state;
    const sort = state.sorted.current;
    if (sort && columns.includes(sort.column)) {
      state.sorted.setSort(sort, (n) => sortValue(state, sort.column, n));
      state.sorted.refresh(true);
    }
  }

  setTimeFormat(format: TimeFormat): void {
    this.state.timeFormat = format;
    this.views.toolbar.showNotice(`Time: ${TIME_FORMAT_NAMES[this.state.timeFormat]}`);
    this.resortBy('time');
    this.changed();
  }

  setResolveNames(resolve: boolean): void {
    this.state.resolveNames = resolve;
    this.views.toolbar.showNotice(resolve ? 'Addresses of known containers show as their names' : 'Addresses show as addresses (no name resolution)');
    this.resortBy('source', 'destination');
    this.changed();
  }

  /** The header's context menu shows the current choices checked. */
  updateHeaderContext(): void {
    this.views.list.setHeaderContext({ timeFormat: this.state.timeFormat, resolveNames: this.state.resolveNames });
  }

  private changed(): void {
    this.updateHeaderContext();
    this.views.list.invalidate();
    this.views.saveState();
    this.views.scheduleRender();
  }
}
