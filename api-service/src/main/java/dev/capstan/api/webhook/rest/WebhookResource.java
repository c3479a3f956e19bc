package dev.capstan.api.webhook.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.webhook.service.WebhookService;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.WebhookMessages.CreateWebhookRequest;
import dev.capstan.model.api.WebhookMessages.DeliveryView;
import dev.capstan.model.api.WebhookMessages.WebhookView;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Webhook endpoints: signed deliveries of video events, with a replayable log. */
@Path("/api/v1/webhooks")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
  @Inject WebhookService webhooks;
  @Inject CurrentUser currentUser;

  /** The answer carries the signing secret, once. */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Valid @NotNull CreateWebhookRequest request) {
    return Response.status(201).entity(webhooks.create(currentUser.id(), request)).build();
  }

  @GET
  public List<WebhookView> list() {
    return webhooks.list(currentUser.id());
  }

  @DELETE
  @Path("/{id}")
  public Response delete(@PathParam("id") String id) {
    webhooks.delete(currentUser.id(), id);
    return Response.noContent().build();
  }

  @GET
  @Path("/{id}/deliveries")
  public Page<DeliveryView> deliveries(
      @PathParam("id") String id,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return webhooks.deliveries(currentUser.id(), id, limit, cursor);
  }

  @POST
  @Path("/{id}/deliveries/{deliveryId}/redeliver")
  public DeliveryView redeliver(
      @PathParam("id") String id, @PathParam("deliveryId") String deliveryId) {
    return webhooks.redeliver(currentUser.id(), id, deliveryId);
  }
}
