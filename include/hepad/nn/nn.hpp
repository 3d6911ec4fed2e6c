// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/nn.hpp
/// @brief The nn family: modules, losses, optimizers, schedules, the trainer, serialization,
/// ensembles and the MLP classifier. Include narrower headers where compile time matters.
#ifndef HEPAD_NN_NN_HPP
#define HEPAD_NN_NN_HPP

#include <hepad/autodiff/autodiff.hpp>
#include <hepad/nn/attention.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/batch_norm.hpp>
#include <hepad/nn/ensemble.hpp>
#include <hepad/nn/init.hpp>
#include <hepad/nn/layer_norm.hpp>
#include <hepad/nn/layers.hpp>
#include <hepad/nn/linear.hpp>
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/losses/contrastive.hpp>
#include <hepad/nn/losses/cross_entropy.hpp>
#include <hepad/nn/losses/gaussian_kl.hpp>
#include <hepad/nn/losses/mse.hpp>
#include <hepad/nn/losses/reduction.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/nn/mlp_classifier.hpp>
#include <hepad/nn/pooling.hpp>
#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/optim/clip.hpp>
#include <hepad/nn/optim/schedule.hpp>
#include <hepad/nn/optim/sgd.hpp>
#include <hepad/nn/sequential.hpp>
#include <hepad/nn/serialize.hpp>
#include <hepad/nn/trainer.hpp>
#include <hepad/nn/transformer.hpp>

#endif  // HEPAD_NN_NN_HPP
