/**
 * When "Container X is running again. Capture again?" is offered: after a
 * capture ended because its container stopped, once a container of that name
 * is seen running again, and never from a listing that predates the stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTAINER_STOPPED_REASON, ReattachOffers, type EndedCapture } from '../../src/extension/capture/reattachOffers';

const ENDED_AT = 1_000_000;
const web: EndedCapture = { containerId: 'id-1', containerName: 'web', direction: 'egress', filter: 'tcp port 80', endedAt: ENDED_AT };
const running = (id: string, name = 'web') => ({ id, name, state: 'running' });
const exited = (id: string, name = 'web') => ({ id, name, state: 'exited' });
const none = new Set<string>();

test('stopped, seen down, then running again: one offer, with the same direction and filter', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([exited('id-1')], ENDED_AT + 300, none), []);
  const made = offers.containersListed([running('id-1')], ENDED_AT + 5000, none);
  assert.deepEqual(made, [{ capture: web, containerId: 'id-1' }]);
  assert.equal(made[0]?.capture.direction, 'egress');
  assert.equal(made[0]?.capture.filter, 'tcp port 80');
  assert.deepEqual(offers.containersListed([running('id-1')], ENDED_AT + 9000, none), [], 'offered once only');
});

test('a listing fetched before the stop still shows it running: no offer from that', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([running('id-1')], ENDED_AT - 50, none), []);
  assert.deepEqual(offers.pending, ['web'], 'still waiting');
});

test('a quick docker restart (same id, never seen down) is offered from a listing made after the stop', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([running('id-1')], ENDED_AT + 400, none), [{ capture: web, containerId: 'id-1' }]);
});

test('a container re-created under the same name (new id) is offered, with the new id', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([running('id-2')], ENDED_AT - 50, none), [{ capture: web, containerId: 'id-2' }]);
});

test('no offer when the capture ended for another reason, or for another container name', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, 'stopped');
  offers.captureEnded({ ...web, containerName: 'db' }, 'tcpdump on eth0 exited: killed');
  assert.deepEqual(offers.containersListed([exited('id-1')], ENDED_AT + 1, none), []);
  assert.deepEqual(offers.containersListed([running('id-1'), running('id-9', 'db')], ENDED_AT + 2, none), []);
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([running('id-7', 'other')], ENDED_AT + 3, none), []);
});

test('no offer when the user is already capturing that container again', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([running('id-1')], ENDED_AT + 500, new Set(['web'])), []);
  assert.deepEqual(offers.pending, [], 'and it is not offered later either');
});

test('two tabs of the same container with the same settings give one offer; different settings give two', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  offers.captureEnded({ ...web, endedAt: ENDED_AT + 1 }, CONTAINER_STOPPED_REASON);
  offers.captureEnded({ ...web, direction: 'both', filter: undefined }, CONTAINER_STOPPED_REASON);
  const made = offers.containersListed([running('id-1')], ENDED_AT + 1000, none);
  assert.deepEqual(made.map((o) => [o.capture.direction, o.capture.filter]), [['egress', 'tcp port 80'], ['both', undefined]]);
});

test('a container that is gone (removed) keeps the offer waiting until one of that name runs', () => {
  const offers = new ReattachOffers();
  offers.captureEnded(web, CONTAINER_STOPPED_REASON);
  assert.deepEqual(offers.containersListed([], ENDED_AT + 100, none), []);
  assert.deepEqual(offers.containersListed([running('id-3')], ENDED_AT + 60_000, none), [{ capture: web, containerId: 'id-3' }]);
});
