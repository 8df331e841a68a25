// The dashboard in Debian's Chromium (playwright-core): open it with a token in the URL, pick 2025
// and a ward, read the scorecard, open an indicator's chart, and take screenshots under
// test/artifacts/. Every request that is not to the API's own origin is blocked and must not occur,
// and the page logs no error (a Content-Security-Policy violation is one).
import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
let browser: Browser;
let base: string;

let api: SeededIocApi | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  api = await startSeededIocApi(createLogger('warn'), { listen: true });
  ({ base } = api);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('dashboard', () => {
  it('shows a ward scorecard and an indicator chart, with no request outside the API', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'vi-VN' });
    const foreign: string[] = [];
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(base)) return route.continue();
      foreign.push(url);
      return route.abort();
    });

    const landing = await page.goto(`${base}/#token=${TOKENS.admin}`);
    expect(landing?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.node[data-unit="T01"]').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('chiso.token'))).toBe(TOKENS.admin);
    expect(page.url()).not.toContain('token=');
    // It opens on the latest year with targets (2025 here), and the year can be changed.
    await expect.poll(() => page.locator('#summary').textContent()).toContain('Năm 2025');
    expect(await page.locator('#year').inputValue()).toBe('2025');
    await page.selectOption('#year', '2024');
    await expect.poll(() => page.locator('#summary').textContent()).toContain('Chưa có chỉ tiêu cho năm 2024');
    await page.selectOption('#year', '2025');
    await expect.poll(() => page.locator('#summary').textContent()).toContain('Năm 2025');
    await page.screenshot({ path: `${ARTIFACTS}dashboard-province.png`, fullPage: true });

    await page.click('.node[data-unit="H01"]');
    await expect.poll(() => page.locator('#drill-table tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Phường Trần Phú'), expect.stringContaining('Phường Lê Lợi')]);
    expect((await page.locator('.card[data-indicator="dossier_online"]').innerText()).replace(/\s+/g, ' ')).toContain('12,8%');
    await page.screenshot({ path: `${ARTIFACTS}dashboard-city.png`, fullPage: true });

    await page.click('.node[data-unit="X0101"]');
    await expect.poll(() => page.locator('#unit-title').textContent()).toBe('Phường Trần Phú');
    const card = page.locator('.card[data-indicator="work_records_online"]');
    await card.waitFor();
    const text = (await card.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng');
    expect(text).toContain('96,5%');
    expect(text).toContain('Mục tiêu ≥ 95%');
    expect(text).toContain('Đạt');
    expect(text).toContain('101,6%');
    const signed = (await page.locator('.card[data-indicator="outgoing_signed"]').innerText()).replace(/\s+/g, ' ');
    expect(signed).toContain('100%');

    await card.click();
    await expect.poll(() => page.locator('#chart-panel').getAttribute('data-days')).toBe('90');
    expect(await page.locator('#chart-panel').getAttribute('data-months')).toBe('3');
    expect(await page.locator('#chart-title').textContent()).toBe('Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng');
    await page.screenshot({ path: `${ARTIFACTS}dashboard-ward-chart.png`, fullPage: true });

    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('asks for a token and refuses a wrong one', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${base}/`);
    await page.locator('#token-input').waitFor();
    await page.fill('#token-input', 'wrong-token-000000000');
    await page.click('#login-form button');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('không hợp lệ');
    await page.fill('#token-input', TOKENS.ward);
    await page.click('#login-form button');
    await page.locator('.node[data-unit="X0101"]').waitFor();
    expect(await page.locator('.node').count()).toBe(1);
    await page.close();
  });
});
