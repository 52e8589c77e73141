/**
 * HTTP exchanges (request and response paired) and DNS queries with their answers:
 * a list, and the selected exchange's headers and body below it.
 */
import type { DnsExchange } from '../src/core/stream/dnsExchanges';
import { rcodeText } from '../src/core/stream/dnsExchanges';
import type { HttpExchange } from '../src/core/stream/httpExchanges';
import type { HttpMessage } from '../src/core/stream/httpMessageParser';
import { el } from './dom';
import { formatBytes, formatCount } from './format';
import { streamText } from './followText';
import { OverlayPanel } from './overlayPanel';

export interface ExchangesHost {
  displayEndpoint(endpoint: string): string;
  goToPacket(packet: number): void;
}

const ms = (seconds: number | undefined): string => (seconds === undefined ? '' : `${(seconds * 1000).toFixed(1)} ms`);

export function showExchangesView(http: HttpExchange[], dns: DnsExchange[], host: ExchangesHost): OverlayPanel {
  const panel = new OverlayPanel('exchanges-view', `HTTP exchanges (${formatCount(http.length)}) and DNS queries (${formatCount(dns.length)})`);
  const details = el('div', { class: 'exchange-details', id: 'exchange-details' }, 'Select an exchange to see its headers and body.');
  const select = (tr: HTMLElement, show: () => void): void => {
    for (const other of panel.body.querySelectorAll('.selected')) other.classList.remove('selected');
    tr.classList.add('selected');
    show();
  };
  const httpRows = http.map((e) => {
    const tr = el('tr', { tabindex: '0' },
      // Read from decrypted TLS: shown as the https URL it was.
      el('td', {}, e.method), el('td', {}, `${e.decrypted ? 'https://' : ''}${e.host ?? host.displayEndpoint(e.server)}${e.uri}`),
      el('td', { class: 'numeric' }, e.status >= 0 ? String(e.status) : '—'),
      el('td', { class: 'numeric' }, ms(e.timeToFirstByte)), el('td', { class: 'numeric' }, ms(e.timeToComplete)),
      el('td', { class: 'numeric' }, formatBytes(e.request.size)), el('td', { class: 'numeric' }, e.response ? formatBytes(e.response.size) : ''),
      el('td', {}, `${host.displayEndpoint(e.client)} → ${host.displayEndpoint(e.server)}`));
    const show = (): void => details.replaceChildren(
      messageBlock('Request', e.request, host), e.response ? messageBlock('Response', e.response, host) : el('p', {}, 'No response in the capture.'));
    tr.addEventListener('click', () => select(tr, show));
    tr.addEventListener('keydown', (k) => k.key === 'Enter' && select(tr, show));
    return tr;
  });
  const dnsRows = dns.map((e) => {
    const tr = el('tr', { tabindex: '0' },
      el('td', {}, e.type), el('td', {}, e.name),
      el('td', {}, e.rcode === undefined ? 'no answer' : rcodeText(e.rcode)), el('td', { class: 'numeric' }, ms(e.time)),
      el('td', {}, e.answer ?? ''));
    const show = (): void => host.goToPacket(e.responsePacket ?? e.queryPacket);
    tr.addEventListener('click', () => select(tr, show));
    return tr;
  });
  const header = (...titles: string[]): HTMLElement => el('thead', {}, el('tr', {}, ...titles.map((t) => el('th', { scope: 'col' }, t))));
  panel.body.append(
    el('h3', {}, 'HTTP'),
    http.length > 0
      ? el('table', { class: 'exchanges-table', id: 'http-table' }, header('Method', 'URL', 'Status', 'First byte', 'Complete', 'Request', 'Response', 'Client → Server'), el('tbody', {}, ...httpRows))
      : el('p', { class: 'overlay-empty' }, 'No HTTP requests in the packets held (nor in TLS decrypted with a key log).'),
    details,
    el('h3', {}, 'DNS'),
    dns.length > 0
      ? el('table', { class: 'exchanges-table', id: 'dns-table' }, header('Type', 'Name', 'Result', 'Time', 'Answer'), el('tbody', {}, ...dnsRows))
      : el('p', { class: 'overlay-empty' }, 'No DNS queries in the packets held.'));
  return panel;
}

function messageBlock(title: string, m: HttpMessage, host: ExchangesHost): HTMLElement {
  const go = el('button', { type: 'button', class: 'text-button' }, `Packet ${m.firstPacket}`);
  go.addEventListener('click', () => host.goToPacket(m.firstPacket));
  const head = [m.startLine, ...m.headers.map(([k, v]) => `${k}: ${v}`)].join('\n');
  const body = m.body.length > 0 ? streamText(m.body) + (m.bodySize > m.body.length ? `\n[… ${formatCount(m.bodySize - m.body.length)} more bytes]` : '') : '';
  return el('div', { class: 'exchange-message' },
    el('h4', {}, `${title} · ${formatBytes(m.size)}${m.complete ? '' : ' · incomplete'} · `, go),
    el('pre', { class: 'exchange-head' }, head),
    body ? el('pre', { class: 'exchange-body' }, body) : '');
}
