import { Logger } from '@nestjs/common';

// Integration and end-to-end tests talk to real services and real processes.
jest.setTimeout(180_000);
// Services log through Nest's static logger: keep test output to warnings and errors.
Logger.overrideLogger(['error', 'warn']);
