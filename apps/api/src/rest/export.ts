import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Database } from '@tagward/db';
import type { Logger } from 'pino';
import type { Types } from 'mongoose';
import { exportContentType, exportEvents, exportFileName } from '../services/exports.js';
import type { ExportQuery } from './schemas.js';

/**
 * Streams an export into a response (the REST API's and the dashboard's download alike). A
 * client that hangs up ends the pipeline, which closes the database cursor; a database error
 * half-way cuts the response, since its 200 is already sent.
 */
export async function streamExport(
  db: Database,
  log: Logger,
  res: Response,
  site: { _id: Types.ObjectId; name: string },
  query: ExportQuery,
): Promise<void> {
  const request = { siteId: site._id, from: new Date(query.from), to: new Date(query.to), verdict: query.verdict, format: query.format };
  res.status(200);
  res.setHeader('Content-Type', exportContentType(query.format));
  res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(site.name, request)}"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    await pipeline(exportEvents(db, request), res);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err: error }, 'export stopped');
    res.destroy();
  }
}
