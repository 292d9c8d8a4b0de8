import {
  ContextTraceSchema,
  ConversationListSchema,
  ConversationSchema,
  CreateConversationRequestSchema,
  EditMessageRequestSchema,
  FeedbackRequestSchema,
  FeedbackSchema,
  IdSchema,
  MessageListSchema,
  SendMessageRequestSchema,
  StreamPartSchema,
} from '@vibhava/protocol';
import { z } from 'zod/mini';
import type { RouteDoc } from '../http/openapi.js';

/** `POST …/regenerate` takes an empty object. */
export const RegenerateRequestSchema = z.strictObject({});

const authErrors = {
  401: { description: 'Missing, forged or expired visitor token' },
  403: { description: 'Token used from another origin' },
};
const notFoundError = { 404: { description: 'No such conversation for this visitor' } };

/** The visitor's conversation routes in the OpenAPI document. */
export const conversationDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/conversations',
    summary: "List the visitor's conversations with this avatar",
    auth: 'visitor',
    responses: { 200: { description: 'Conversations, newest first', schema: ConversationListSchema }, ...authErrors },
  },
  {
    method: 'post',
    path: '/v1/conversations',
    summary: 'Start a conversation',
    auth: 'visitor',
    body: CreateConversationRequestSchema,
    responses: { 201: { description: 'The new conversation', schema: ConversationSchema }, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/conversations/{conversationId}/messages',
    summary: 'Read a conversation’s history',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    responses: {
      200: { description: 'Messages, oldest first', schema: MessageListSchema },
      ...notFoundError,
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/conversations/{conversationId}/messages',
    summary: 'Send a message and stream the reply',
    description:
      'Stores the visitor message, then answers with Server-Sent Events, one JSON stream part per `data:` line: start, text-start, text-delta…, text-end, usage, error, finish.',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    body: SendMessageRequestSchema,
    responses: {
      200: {
        description: 'The reply as a stream of parts',
        schema: StreamPartSchema,
        contentType: 'text/event-stream',
      },
      400: { description: 'Invalid message' },
      ...notFoundError,
      409: { description: 'A reply is still being written in this conversation' },
      413: { description: 'Body too large' },
      429: { description: 'Too many messages (rate_limited) or a budget is used up (quota_exceeded); see Retry-After' },
      415: { description: 'Body is not JSON' },
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/conversations/{conversationId}/regenerate',
    summary: 'Write the last reply again',
    description:
      'Replaces the reply to the visitor’s last message (the old reply and the memories drawn from it go) and streams the new one like sending a message; the `start` part names the existing visitor message.',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    body: RegenerateRequestSchema,
    responses: {
      200: {
        description: 'The new reply as a stream of parts',
        schema: StreamPartSchema,
        contentType: 'text/event-stream',
      },
      ...notFoundError,
      409: { description: 'Nothing to answer yet, or a reply is still being written' },
      429: { description: 'Too many messages or a budget is used up' },
      ...authErrors,
    },
  },
  {
    method: 'put',
    path: '/v1/conversations/{conversationId}/messages/{messageId}',
    summary: 'Edit the visitor’s last message and answer it again',
    auth: 'visitor',
    params: { conversationId: IdSchema, messageId: IdSchema },
    body: EditMessageRequestSchema,
    responses: {
      200: {
        description: 'The new reply as a stream of parts',
        schema: StreamPartSchema,
        contentType: 'text/event-stream',
      },
      400: { description: 'Invalid message' },
      ...notFoundError,
      409: { description: 'Not the last visitor message, or a reply is still being written' },
      ...authErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/conversations/{conversationId}/stop',
    summary: 'Stop the reply being written',
    description: 'The reply is kept with the text written so far, marked partial. Closing the stream stops it too.',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    responses: { 200: { description: 'Whether a reply was being written' }, ...notFoundError, ...authErrors },
  },
  {
    method: 'post',
    path: '/v1/conversations/{conversationId}/close',
    summary: 'Close the conversation (a new message reopens it)',
    auth: 'visitor',
    params: { conversationId: IdSchema },
    responses: { 200: { description: 'Closed' }, ...notFoundError, ...authErrors },
  },
  {
    method: 'get',
    path: '/v1/conversations/{conversationId}/messages/{messageId}/trace',
    summary: 'What went into a reply’s context',
    description: 'The memories, preferences and lorebook entries the reply was written with, and its token budget.',
    auth: 'visitor',
    params: { conversationId: IdSchema, messageId: IdSchema },
    responses: {
      200: { description: 'The context trace', schema: ContextTraceSchema },
      404: { description: 'No such reply, or it has no trace' },
      ...authErrors,
    },
  },
  {
    method: 'put',
    path: '/v1/conversations/{conversationId}/messages/{messageId}/feedback',
    summary: 'Rate a reply: thumbs up or down, with an optional reason',
    description:
      'One vote per reply; voting again replaces it. Reasons such as `too_long` steer the avatar’s tone adaptation.',
    auth: 'visitor',
    params: { conversationId: IdSchema, messageId: IdSchema },
    body: FeedbackRequestSchema,
    responses: {
      200: { description: 'The stored vote', schema: FeedbackSchema },
      400: { description: 'Invalid vote, or the message is not a reply' },
      404: { description: 'No such reply in this visitor’s conversation' },
      409: { description: 'The reply is still being written' },
      ...authErrors,
    },
  },
];
