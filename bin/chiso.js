#!/usr/bin/env node
// Entry point of `npx chiso`: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../services/cli/main.ts');
