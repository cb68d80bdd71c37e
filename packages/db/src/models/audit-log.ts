import mongoose from 'mongoose';

const schema = new mongoose.Schema(
  {
    actorId: { type: mongoose.Schema.Types.ObjectId, required: true },
    action: { type: String, required: true },
    target: { type: String, default: '' },
    before: { type: mongoose.Schema.Types.Mixed, default: null },
    after: { type: mongoose.Schema.Types.Mixed, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// The audit page: newest first with keyset pagination, filtered by action or by actor.
schema.index({ at: -1, _id: -1 });
schema.index({ action: 1, at: -1, _id: -1 });
schema.index({ actorId: 1, at: -1, _id: -1 });

export const auditLogModel = (conn: mongoose.Connection) =>
  conn.model('AuditLog', schema, 'audit_log');
